import { Partitioners } from 'kafkajs';

type Grouping = (args: object) => Record<string, object[]>;
type KafkaRequest = { encode(): Promise<{ buffer: Buffer }> };
type ProduceRequest = (args: object) => KafkaRequest;
type Frame = (args: { correlationId: number; clientId: string | null; request: KafkaRequest }) => Promise<{ buffer: Buffer }>;

const GZIP = 1;
// An array header value (repeated header) sends its record's batch down kafkajs's own path.
const headers = (i: number) => (i === 699 ? { multi: ['a', Buffer.from([1])] } : i % 3 === 0 ? undefined : i % 3 === 1 ? { source: `gw-${i}`, 'é-trace': Buffer.from([i % 256, 0, 255]) } : {});

/**
 * Two produce requests of a fixed batch of 700 records over two topics, uncompressed and gzipped,
 * grouped and encoded by kafkajs, then two requests framed for the socket (a produce and a
 * metadata request): kafkajs-fixes.spec.ts compares their bytes with and without the fixes.
 * The records cover what a record's encoding varies with: null and multibyte keys, string and
 * binary values, headers or none (one repeated), and timestamp deltas of one to six varint bytes.
 */
export async function encodedProduceRequest(): Promise<Buffer> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const grouping = require('kafkajs/src/producer/groupMessagesPerPartition') as Grouping;
  const request = require('kafkajs/src/protocol/requests/produce/v3/request') as ProduceRequest;
  const produceV7 = require('kafkajs/src/protocol/requests/produce/v7/request') as ProduceRequest;
  const metadata = require('kafkajs/src/protocol/requests/metadata/v4/request') as ProduceRequest;
  const frame = require('kafkajs/src/protocol/request') as Frame;
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
  const args = (compression?: number) => ({ acks: -1, timeout: 30_000, compression, producerId: 7, producerEpoch: 1, topicData: [{ topic: 't', partitions }, { topic: 'ü-2', partitions: partitions.slice(1) }] });
  const encoded = await Promise.all([undefined, GZIP].map((compression) => request(args(compression)).encode()));
  // Framed as sent: the newest version kafkajs speaks (v7, which wraps v3) and another API.
  const framed = await Promise.all([
    frame({ correlationId: 42, clientId: 'gw-é', request: produceV7(args()) }),
    frame({ correlationId: 43, clientId: null, request: metadata({ topics: ['a', 'ü'], allowAutoTopicCreation: false }) }),
  ]);
  return Buffer.concat([...encoded, ...framed].map((e) => e.buffer));
}
