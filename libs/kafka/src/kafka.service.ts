import { type Kafka } from 'kafkajs';
import { type Registry } from 'prom-client';
import { BatchConsumer, type BatchConsumerOptions } from './batch-consumer';
import { BatchingProducer } from './batching-producer';
import { createKafka } from './kafka-client';
import { KafkaMetrics } from './kafka.metrics';
import { type KafkaLogger, type KafkaOptions } from './kafka.options';
import { ReplayingConsumer, type ReplayingConsumerOptions } from './replaying-consumer';
import { ensureTopics, pingCluster, type TopicSpec } from './topic-admin';

export interface KafkaServiceOptions extends KafkaOptions {
  registry: Registry;
  logger: KafkaLogger;
}

/** One service's Kafka connection: a batching producer, batch consumers, topic admin and health. */
export class KafkaService {
  readonly producer: BatchingProducer;
  private readonly kafka: Kafka;
  private readonly metrics: KafkaMetrics;
  private readonly consumers: { stop(): Promise<void> }[] = [];

  constructor(private readonly options: KafkaServiceOptions) {
    this.kafka = createKafka(options, options.logger);
    this.metrics = new KafkaMetrics(options.registry);
    this.producer = new BatchingProducer(this.kafka, this.metrics, options.logger, options.producer);
  }

  ensureTopics(specs: TopicSpec[]): Promise<void> {
    return ensureTopics(this.kafka, specs, this.options.logger);
  }

  createReplayingConsumer(options: ReplayingConsumerOptions): ReplayingConsumer {
    const consumer = new ReplayingConsumer(this.kafka, options, this.metrics, this.options.logger);
    this.consumers.push(consumer);
    return consumer;
  }

  createConsumer(options: BatchConsumerOptions): BatchConsumer {
    const consumer = new BatchConsumer(this.kafka, options, this.metrics, this.options.logger);
    this.consumers.push(consumer);
    return consumer;
  }

  /** Ready when the producer is not failing and the cluster answers. */
  async isReady(timeoutMs = 2000): Promise<boolean> {
    return this.producer.healthy && (await pingCluster(this.kafka, timeoutMs));
  }

  /** Stops consumers (committing their offsets), then flushes the producer. */
  async close(flushTimeoutMs: number): Promise<void> {
    await Promise.allSettled(this.consumers.map((c) => c.stop()));
    await this.producer.close(flushTimeoutMs);
  }
}
