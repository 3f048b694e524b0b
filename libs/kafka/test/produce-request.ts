import { Partitioners } from 'kafkajs';

type Grouping = (args: object) => Record<string, object[]>;
type ProduceRequest = (args: object) => { encode(): Promise<{ buffer: Buffer }> };

const GZIP = 1;
const headers = (i: number) => (i % 3 === 0 ? undefined : i % 3 === 1 ? { source: `gw-${i}`, 'é-trace': Buffer.from([i % 256, 0, 255]) } : {});

/**
 * Two produce requests of a fixed batch of 700 records, uncompressed and gzipped, grouped and
 * encoded by kafkajs: kafkajs-fixes.spec.ts compares their bytes with and without the fixes.
 * The records cover what a record's encoding varies with: null and multibyte keys, string and
 * binary values, headers or none, and timestamp deltas of one to six varint bytes.
 */
export async function encodedProduceRequest(): Promise<Buffer> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const grouping = require('kafkajs/src/producer/groupMessagesPerPartition') as Grouping;
  const request = require('kafkajs/src/protocol/requests/produce/v3/request') as ProduceRequest;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const partitionMetadata = [0, 1, 2].map((partitionId) => ({ partitionId, leader: 1 }));
  const messages = Array.from({ length: 700 }, (_, i) => ({
    key: i % 50 === 0 ? null : `dev-${i % 41}${i % 7 ? '' : 'ü'}`,
    value: i % 2 ? 'v'.repeat(i) + (i % 5 ? '' : '€') : Buffer.alloc(i, i % 251),
    timestamp: String(i % 97 === 0 ? 1_000 + i : 1_700_000_000_000 + i * 37_001),
    headers: headers(i),
    // kafkajs sends a keyless record round-robin from a random partition: this one is placed.
    ...(i % 50 === 0 ? { partition: i % 3 } : {}),
  }));
  const byPartition = grouping({ topic: 't', partitionMetadata, messages, partitioner: Partitioners.DefaultPartitioner() });
  const partitions = Object.entries(byPartition).map(([partition, list]) => ({ partition: Number(partition), firstSequence: 5, messages: list }));
  const encoded = await Promise.all([undefined, GZIP].map((compression) => request({ acks: -1, timeout: 30_000, compression, producerId: 7, producerEpoch: 1, topicData: [{ topic: 't', partitions }] }).encode()));
  return Buffer.concat(encoded.map((e) => e.buffer));
}
