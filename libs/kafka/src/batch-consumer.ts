import { type Consumer, type Kafka, type KafkaMessage } from 'kafkajs';
import { describe } from './errors';
import { setGroupOffsets } from './group-offsets';
import { type KafkaMetrics } from './kafka.metrics';
import { type KafkaLogger } from './kafka.options';
import { SupervisedConsumer } from './supervised-consumer';

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: number;
}

const HEARTBEAT_WHILE_HANDLING_MS = 3_000;

export interface BatchConsumerOptions {
  /** Names the consumer in logs and metrics, e.g. commands-consumer. */
  name: string;
  groupId: string;
  topics: string[];
  fromBeginning?: boolean;
  /** Read the topics from their beginning on every start, committed offsets or not (a compacted table). */
  rewindOnStart?: boolean;
  /**
   * Handles one fetched batch of one partition, in offset order. Offsets are
   * committed after it resolves; if it throws, the batch is fetched again.
   */
  handle: (records: ConsumedRecord[]) => Promise<void>;
  /**
   * Told the next offset to read in a partition after each batch, also for a batch that holds
   * no record to handle (only transaction markers, or records compacted away): a reader that
   * waits to reach the end offsets would otherwise wait for offsets no record will ever carry.
   */
  onPosition?: (partition: number, next: bigint) => void;
  /** Partitions handled at once (default 1); each partition's batches stay in order. */
  concurrency?: number;
}

/**
 * A consumer-group member that hands whole batches to its handler
 * (kafkajs eachBatch), not one message at a time as the NestJS Kafka transport does.
 */
export class BatchConsumer {
  readonly supervisor: SupervisedConsumer;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: BatchConsumerOptions,
    private readonly metrics: KafkaMetrics,
    private readonly logger: KafkaLogger,
  ) {
    this.supervisor = new SupervisedConsumer(
      options.name,
      // After a broker restart the group still lists the dead consumer until its session times
      // out, and the new one's join waits for that: 10 s rather than kafkajs's 30 s.
      () => kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: false, sessionTimeout: 10_000 }),
      (consumer) => this.run(consumer),
      metrics,
      logger,
    );
  }

  /** Resolves once the consumer runs; it keeps retrying while Kafka is away. */
  start(): Promise<void> {
    return this.supervisor.start();
  }

  private async run(consumer: Consumer): Promise<void> {
    if (this.options.rewindOnStart) await this.rewind();
    else if (!this.options.fromBeginning) await this.pinStart();
    const { onPosition } = this.options;
    if (onPosition) consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => onPosition(payload.partition, BigInt(payload.lastOffset) + 1n));
    await consumer.subscribe({ topics: this.options.topics, fromBeginning: this.options.fromBeginning ?? false });
    await consumer.run({
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: this.options.concurrency ?? 1,
      eachBatch: (payload) =>
        this.supervisor.whileHandling(async () => {
          const { batch } = payload;
          const records = batch.messages.map((m) => toRecord(batch.topic, batch.partition, m));
          // kafkajs heartbeats only between batches; a handler that waits on devices (a CoAP
          // notification's retransmissions) would outlive the session and be fenced mid-batch.
          const beat = setInterval(() => void payload.heartbeat().catch(() => undefined), HEARTBEAT_WHILE_HANDLING_MS);
          try {
            await this.options.handle(records);
          } catch (error) {
            this.logger.error({ err: describe(error), topic: batch.topic, partition: batch.partition }, 'batch handler failed; it will be redelivered');
            throw error;
          } finally {
            clearInterval(beat);
          }
          this.metrics.consumed.inc({ topic: batch.topic }, records.length);
          await payload.heartbeat();
        }),
    });
  }

  stop(): Promise<void> {
    return this.supervisor.stop();
  }

  /** Moves the group to the start of each topic; refused (and retried by the supervisor) while an earlier member is still in it. */
  private async rewind(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      // Real offsets, not kafkajs's resetOffsets: the -2 (earliest) it commits reads as no offset, so the consumer began at the end.
      for (const topic of this.options.topics) {
        const starts = await admin.fetchTopicOffsets(topic);
        await setGroupOffsets(this.kafka, admin, { groupId: this.options.groupId, topic, partitions: starts.map((p) => ({ partition: p.partition, offset: p.low })) });
      }
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Commits the current end of every partition the group has no offset for. Without it a group
   * that has consumed nothing yet starts at the end each time a consumer joins, so whatever
   * arrived while its consumer was being replaced (a Kafka restart) would be skipped.
   */
  private async pinStart(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      for (const topic of this.options.topics) {
        const [committed] = await admin.fetchOffsets({ groupId: this.options.groupId, topics: [topic] });
        const missing = new Set(committed?.partitions.filter((p) => p.offset === '-1').map((p) => p.partition) ?? []);
        if (missing.size === 0) continue;
        const ends = await admin.fetchTopicOffsets(topic);
        const partitions = ends.filter((p) => missing.has(p.partition)).map((p) => ({ partition: p.partition, offset: p.high }));
        // Refused while another member is active; then that member's group already has a position.
        await setGroupOffsets(this.kafka, admin, { groupId: this.options.groupId, topic, partitions }).catch((err: unknown) => this.logger.debug({ err: describe(err), topic }, 'group is active; not pinning its start'));
      }
    } finally {
      await admin.disconnect();
    }
  }
}

export function toRecord(topic: string, partition: number, m: KafkaMessage): ConsumedRecord {
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key ? m.key.toString('utf8') : null,
    value: m.value,
    headers: Object.fromEntries(Object.entries(m.headers ?? {}).flatMap(([k, v]) => (v === undefined ? [] : [[k, v.toString()]]))),
    timestamp: Number(m.timestamp),
  };
}
