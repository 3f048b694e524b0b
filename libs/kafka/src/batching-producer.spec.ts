import pino from 'pino';
import { Registry } from 'prom-client';
import { type Kafka, type Producer } from 'kafkajs';
import { BatchingProducer } from './batching-producer';
import { KafkaMetrics } from './kafka.metrics';

/**
 * A kafkajs stand-in for the producer's own recovery logic (the real broker is in test/):
 * the first send fails with a broker error of `type`, every later one is accepted.
 */
function fakeKafka(type: string) {
  const made: string[][] = [];
  let failures = 1;
  const kafka = {
    producer: () => {
      const sent: string[] = [];
      made.push(sent);
      return {
        connect: () => Promise.resolve(),
        disconnect: () => Promise.resolve(),
        sendBatch: ({ topicMessages }: { topicMessages: { messages: { value: string }[] }[] }) => {
          if (failures-- > 0) return Promise.reject(Object.assign(new Error(type), { type }));
          for (const t of topicMessages) sent.push(...t.messages.map((m) => m.value));
          return Promise.resolve([]);
        },
      } as unknown as Producer;
    },
  } as unknown as Kafka;
  return { kafka, made };
}

describe(BatchingProducer.name, () => {
  it('starts a new idempotent producer when the broker no longer agrees on sequence numbers, and delivers through it', async () => {
    const { kafka, made } = fakeKafka('OUT_OF_ORDER_SEQUENCE_NUMBER');
    const producer = new BatchingProducer(kafka, new KafkaMetrics(new Registry()), pino({ level: 'silent' }));
    await producer.send({ topic: 't', key: 'k', value: 'r1' });
    expect(made.length).toBe(2);
    expect(made[1]).toEqual(['r1']);
    await producer.close(1000);
  });

  it('keeps its producer on other transient failures', async () => {
    const { kafka, made } = fakeKafka('NETWORK_EXCEPTION');
    const producer = new BatchingProducer(kafka, new KafkaMetrics(new Registry()), pino({ level: 'silent' }));
    await producer.send({ topic: 't', key: 'k', value: 'r1' });
    expect(made).toEqual([['r1']]);
    await producer.close(1000);
  });
});
