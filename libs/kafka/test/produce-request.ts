import { Partitioners } from 'kafkajs';

type Grouping = (args: object) => Record<string, object[]>;
type ProduceRequest = (args: object) => { encode(): Promise<{ buffer: Buffer }> };

/**
 * A produce request of a fixed batch of 700 records, grouped and encoded by kafkajs:
 * kafkajs-fixes.spec.ts compares its bytes with and without the fixes.
 */
export async function encodedProduceRequest(): Promise<Buffer> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const grouping = require('kafkajs/src/producer/groupMessagesPerPartition') as Grouping;
  const request = require('kafkajs/src/protocol/requests/produce/v3/request') as ProduceRequest;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const partitionMetadata = [0, 1, 2].map((partitionId) => ({ partitionId, leader: 1 }));
  const messages = Array.from({ length: 700 }, (_, i) => ({
    key: `dev-${i % 41}`,
    value: i % 2 ? 'v'.repeat(i) : Buffer.alloc(i, i % 251),
    timestamp: String(1_700_000_000_000 + i),
  }));
  const byPartition = grouping({ topic: 't', partitionMetadata, messages, partitioner: Partitioners.DefaultPartitioner() });
  const partitions = Object.entries(byPartition).map(([partition, list]) => ({ partition: Number(partition), firstSequence: 5, messages: list }));
  const encoded = await request({ acks: -1, timeout: 30_000, producerId: 7, producerEpoch: 1, topicData: [{ topic: 't', partitions }] }).encode();
  return encoded.buffer;
}
