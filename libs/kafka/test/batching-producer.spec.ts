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
    const registry = new Registry();
    kafka = new KafkaService({
      brokers: [infra.kafkaBrokers],
      clientId: topic,
      registry,
      logger: pino({ level: 'silent' }),
    });
    await kafka.ensureTopics([{ topic, partitions: 1, ...(configs ? { configs } : {}) }]);
    return { infra, topic, producer: kafka.producer, registry };
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

  // Regression (issue 10): a one-device backlog of 5000 small readings went out as one 1.5 MB
  // batch, over the broker's default max.message.bytes (1 MiB), and was refused.
  it('sends a large single-partition backlog in batches the broker accepts', async () => {
    const { infra, topic, producer, registry } = await setup();
    const value = JSON.stringify({ reading: 'x'.repeat(280) });
    await Promise.all(Array.from({ length: 5000 }, () => producer.send({ topic, key: 'dev-1', value })));
    const requests = (await registry.getSingleMetric('fieldlink_kafka_batch_records')?.get())?.values.find((v) => (v as { metricName?: string }).metricName === 'fieldlink_kafka_batch_records_count')?.value;
    const rejected = (await registry.getSingleMetric('fieldlink_kafka_rejected_total')?.get())?.values.length;
    // Before the fix: one refused request, then 5000 single-record ones.
    expect({ rejected, fewRequests: (requests ?? Infinity) <= 10 }).toEqual({ rejected: 0, fewRequests: true });
    expect(await readTopic(infra.kafkaBrokers, topic)).toHaveLength(5000);
  });
});
