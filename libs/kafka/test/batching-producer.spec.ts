import { freshName, readTopic, sharedInfra } from '@fieldlink/testing';
import pino from 'pino';
import { Registry } from 'prom-client';
import { KafkaError, KafkaErrorCode } from '../src/errors';
import { KafkaService } from '../src/kafka.service';

describe('BatchingProducer against a real Kafka', () => {
  let kafka: KafkaService | undefined;
  afterEach(async () => {
    await kafka?.close(5000);
  });

  async function setup(configs?: Record<string, string>) {
    const infra = await sharedInfra();
    const topic = freshName('producer');
    kafka = new KafkaService({
      brokers: [infra.kafkaBrokers],
      clientId: topic,
      registry: new Registry(),
      logger: pino({ level: 'silent' }),
    });
    await kafka.ensureTopics([{ topic, partitions: 1, ...(configs ? { configs } : {}) }]);
    return { infra, topic, producer: kafka.producer };
  }

  // Regression: a record sent by a caller woken by the loop's last batch was left queued until the next send.
  it('delivers a record sent from the continuation of the previous one', async () => {
    const { infra, topic, producer } = await setup();
    const second = await producer.send({ topic, key: 'k', value: 'first' }).then(() =>
      Promise.race([
        producer.send({ topic, key: 'k', value: 'second' }).then(() => 'delivered'),
        new Promise((resolve) => setTimeout(() => resolve('stuck'), 10_000)),
      ]),
    );
    expect(second).toBe('delivered');
    expect((await readTopic(infra.kafkaBrokers, topic)).map((r) => r.payload)).toEqual(['first', 'second']);
  });

  it('rejects only the record Kafka refuses for good and delivers the rest of its batch in order', async () => {
    const { infra, topic, producer } = await setup({ 'max.message.bytes': '2048' });
    const outcomes = await Promise.allSettled(
      ['a', 'x'.repeat(10_000), 'b', 'c'].map((value) => producer.send({ topic, key: 'k', value })),
    );
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const reason = (outcomes[1] as PromiseRejectedResult).reason as KafkaError;
    expect(reason).toBeInstanceOf(KafkaError);
    expect({ code: reason.code, retryable: reason.retryable }).toEqual({ code: KafkaErrorCode.Rejected, retryable: false });
    expect((await readTopic(infra.kafkaBrokers, topic)).map((r) => r.payload)).toEqual(['a', 'b', 'c']);
  });
});
