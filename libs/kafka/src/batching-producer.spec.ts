import pino from 'pino';
import { Registry } from 'prom-client';
import { type Kafka, type Producer } from 'kafkajs';
import { BatchingProducer } from './batching-producer';
import { KafkaMetrics } from './kafka.metrics';
import { type ProducerOptions } from './kafka.options';

type Answer = 'ok' | { type: string } | 'hang';

/**
 * A kafkajs stand-in for the producer's own recovery logic (the real broker is in test/).
 * Each sendBatch takes the next scripted answer; once the script is used up, every send is
 * accepted. A value over `maxValueBytes` is refused for good, as a broker's max.message.bytes does.
 */
function fakeKafka(script: Answer[], maxValueBytes = Infinity) {
  const made: string[][] = [];
  const requests: number[] = [];
  const kafka = {
    producer: () => {
      const sent: string[] = [];
      made.push(sent);
      return {
        connect: () => Promise.resolve(),
        disconnect: () => Promise.resolve(),
        sendBatch: ({ topicMessages }: { topicMessages: { messages: { value: string }[] }[] }) => {
          const values = topicMessages.flatMap((t) => t.messages.map((m) => m.value));
          requests.push(values.reduce((n, v) => n + v.length, 0));
          const answer = script.shift() ?? 'ok';
          if (answer === 'hang') return new Promise(() => undefined);
          if (answer !== 'ok') return Promise.reject(Object.assign(new Error(answer.type), { type: answer.type }));
          if (values.some((v) => v.length > maxValueBytes)) return Promise.reject(Object.assign(new Error('too large'), { type: 'MESSAGE_TOO_LARGE' }));
          sent.push(...values);
          return Promise.resolve([]);
        },
      } as unknown as Producer;
    },
  } as unknown as Kafka;
  return { kafka, made, requests };
}

function producerOn(kafka: Kafka, options: ProducerOptions = {}): BatchingProducer {
  return new BatchingProducer(kafka, new KafkaMetrics(new Registry()), pino({ level: 'silent' }), { maxBackoffMs: 10, ...options });
}

describe(BatchingProducer.name, () => {
  it('starts a new idempotent producer when the broker no longer agrees on sequence numbers, and delivers through it', async () => {
    const { kafka, made } = fakeKafka([{ type: 'OUT_OF_ORDER_SEQUENCE_NUMBER' }]);
    const producer = producerOn(kafka);
    await producer.send({ topic: 't', key: 'k', value: 'r1' });
    expect(made.length).toBe(2);
    expect(made[1]).toEqual(['r1']);
    await producer.close(1000);
  });

  it('keeps its producer on other transient failures', async () => {
    const { kafka, made } = fakeKafka([{ type: 'NETWORK_EXCEPTION' }]);
    const producer = producerOn(kafka);
    await producer.send({ topic: 't', key: 'k', value: 'r1' });
    expect(made).toEqual([['r1']]);
    await producer.close(1000);
  });

  // Regression (issue 10): after an outage, a batch that held one refused record was delivered
  // record by record, but the producer stayed "unhealthy" for good, so the spool never replayed.
  it('is healthy again once Kafka takes records after an outage, even when a permanent rejection came first', async () => {
    const { kafka, made } = fakeKafka([{ type: 'NETWORK_EXCEPTION' }], 5);
    const producer = producerOn(kafka);
    const outcomes = await Promise.allSettled(['a', 'too-large', 'b', 'c'].map((value) => producer.send({ topic: 't', key: 'k', value })));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(made.flat()).toEqual(['a', 'b', 'c']);
    expect(producer.healthy).toBe(true);
    await producer.close(1000);
  });

  it("is healthy again when Kafka's first answer after an outage refuses every waiting record", async () => {
    const { kafka } = fakeKafka([{ type: 'NETWORK_EXCEPTION' }], 5);
    const producer = producerOn(kafka);
    await expect(producer.send({ topic: 't', key: 'k', value: 'too-large' })).rejects.toThrow('MESSAGE_TOO_LARGE');
    expect({ healthy: producer.healthy, pending: producer.pending }).toEqual({ healthy: true, pending: 0 });
    await producer.close(1000);
  });

  it('never puts more than maxBatchBytes in one request', async () => {
    const { kafka, made, requests } = fakeKafka([{ type: 'NETWORK_EXCEPTION' }]);
    const producer = producerOn(kafka, { maxBatchBytes: 1000 });
    // Queued behind a failing request, so they all wait at once, as a backlog does.
    await Promise.all(Array.from({ length: 100 }, (_, i) => producer.send({ topic: 't', key: 'k', value: `${i}`.padStart(100, '0') })));
    expect(made.flat()).toHaveLength(100);
    expect(Math.max(...requests)).toBeLessThanOrEqual(1000);
    await producer.close(1000);
  });

  it('sends a request again through a rebuilt producer when the old one never answers', async () => {
    const { kafka, made } = fakeKafka(['hang']);
    const producer = producerOn(kafka);
    const sent = producer.send({ topic: 't', key: 'k', value: 'r1' });
    await new Promise((resolve) => setImmediate(resolve));
    await producer.rebuild();
    await sent;
    expect(made).toEqual([[], ['r1']]);
    await producer.close(1000);
  });
});
