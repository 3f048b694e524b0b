import { type Kafka } from 'kafkajs';
import { type Registry } from 'prom-client';
import { BatchConsumer, type BatchConsumerOptions } from './batch-consumer';
import { BatchingProducer } from './batching-producer';
import { createKafka } from './kafka-client';
import { KafkaMetrics } from './kafka.metrics';
import { type KafkaLogger, type KafkaOptions } from './kafka.options';
import { KafkaWatchdog, type WatchedClient } from './kafka-watchdog';
import { ReplayingConsumer, type ReplayingConsumerOptions } from './replaying-consumer';
import { type SupervisedConsumer } from './supervised-consumer';
import { GroupMembership, type GroupMembershipOptions } from './group-membership';
import { deleteTopics, ensurePartitions, ensureTopics, pingCluster, type TopicSpec } from './topic-admin';

export interface KafkaServiceOptions extends KafkaOptions {
  registry: Registry;
  logger: KafkaLogger;
}

export interface KafkaWatchdogConfig {
  /** Work waiting this long, with Kafka answering a fresh connection and nothing moving, is a stall. */
  stallMs: number;
}

/** One service's Kafka connection: a batching producer, batch consumers, topic admin and health. */
export class KafkaService {
  readonly producer: BatchingProducer;
  private readonly kafka: Kafka;
  private readonly metrics: KafkaMetrics;
  private readonly consumers: { supervisor: SupervisedConsumer; stop(): Promise<void> }[] = [];
  private watchdog: KafkaWatchdog | undefined;

  constructor(private readonly options: KafkaServiceOptions) {
    this.kafka = createKafka(options, options.logger);
    this.metrics = new KafkaMetrics(options.registry);
    this.producer = new BatchingProducer(this.kafka, this.metrics, options.logger, options.producer);
    this.metrics.watchConnection('producer', () => this.producer.connectedToKafka);
    this.metrics.watchDelivery(() => this.producer.lastDelivery);
  }

  /**
   * Starts the stall watchdog (see KafkaWatchdog) over the producer and every consumer.
   * `backlog`: records the service holds for the producer elsewhere, e.g. in its spool.
   */
  startWatchdog(config: KafkaWatchdogConfig, backlog: () => number = () => 0): void {
    const producer: WatchedClient = {
      name: 'producer',
      waiting: () => this.producer.pending > 0 || backlog() > 0,
      lastProgressAt: () => this.producer.lastDelivery,
    };
    // Consumers created after the watchdog starts (the gateway's, once its protocol is up) count too.
    const consumer = ({ supervisor }: { supervisor: SupervisedConsumer }): WatchedClient => ({
      name: supervisor.name,
      waiting: () => supervisor.idle,
      lastProgressAt: () => supervisor.lastProgressAt,
    });
    this.watchdog = new KafkaWatchdog(
      () => [producer, ...this.consumers.map(consumer)],
      {
        probe: () => pingCluster(this.kafka, 5000),
        rebuild: () => this.rebuild(),
        onRebuild: () => this.metrics.watchdogRebuilds.inc(),
        onLivenessFailure: () => this.metrics.watchdogLivenessFailures.inc(),
      },
      { stallMs: config.stallMs, intervalMs: Math.min(5000, Math.max(250, config.stallMs / 4)) },
      this.options.logger,
    );
    this.watchdog.start();
  }

  /** False once the watchdog has found the Kafka clients stuck even after a rebuild. */
  get live(): boolean {
    return this.watchdog?.live ?? true;
  }

  /**
   * New Kafka clients for old: a new producer (what was in flight is sent again) and a new
   * consumer for each, which rejoins its group from the committed offsets. Consumers restart in
   * the background, so a Kafka that still refuses them cannot hold up the watchdog.
   */
  private async rebuild(): Promise<void> {
    await this.producer.rebuild();
    for (const { supervisor } of this.consumers) void supervisor.restart('watchdog');
  }

  ensureTopics(specs: TopicSpec[]): Promise<void> {
    return ensureTopics(this.kafka, specs, this.options.logger);
  }

  /** Creates the topic, or adds partitions until it has at least `partitions`. */
  ensurePartitions(spec: TopicSpec): Promise<void> {
    return ensurePartitions(this.kafka, spec, this.options.logger);
  }

  /** The offset after the last record of each partition (Kafka's high watermark). */
  async endOffsets(topic: string): Promise<Map<number, bigint>> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      return new Map(offsets.map((p) => [p.partition, BigInt(p.high)]));
    } finally {
      await admin.disconnect();
    }
  }

  deleteTopics(topics: string[]): Promise<void> {
    return deleteTopics(this.kafka, topics);
  }

  createReplayingConsumer(options: ReplayingConsumerOptions): ReplayingConsumer {
    const consumer = new ReplayingConsumer(this.kafka, options, this.metrics, this.options.logger);
    this.metrics.watchConnection(options.name, () => consumer.supervisor.connected);
    this.consumers.push(consumer);
    return consumer;
  }

  /** A member of a consumer group used as a lease on the partitions of a topic (see GroupMembership). */
  createMembership(options: GroupMembershipOptions): GroupMembership {
    const membership = new GroupMembership(this.kafka, options, this.metrics, this.options.logger);
    this.metrics.watchConnection(options.name, () => membership.supervisor.connected);
    this.consumers.push(membership);
    return membership;
  }

  createConsumer(options: BatchConsumerOptions): BatchConsumer {
    const consumer = new BatchConsumer(this.kafka, options, this.metrics, this.options.logger);
    this.metrics.watchConnection(options.name, () => consumer.supervisor.connected);
    this.consumers.push(consumer);
    return consumer;
  }

  /** Ready when the producer is not failing and the cluster answers. */
  async isReady(timeoutMs = 2000): Promise<boolean> {
    return this.producer.healthy && (await pingCluster(this.kafka, timeoutMs));
  }

  /** Stops consumers (committing their offsets), then flushes the producer. */
  async close(flushTimeoutMs: number): Promise<void> {
    await this.watchdog?.stop();
    await Promise.allSettled(this.consumers.map((c) => c.stop()));
    await this.producer.close(flushTimeoutMs);
  }
}
