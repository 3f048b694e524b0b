import { type Admin, type Batch, type Consumer, type EachBatchPayload, type Kafka } from 'kafkajs';
import { type ConsumedRecord, toRecord } from './batch-consumer';
import { describe } from './errors';
import { type KafkaMetrics } from './kafka.metrics';
import { type KafkaLogger } from './kafka.options';
import { SupervisedConsumer } from './supervised-consumer';

export interface PartitionRef {
  topic: string;
  partition: number;
}

/** What a handler may do with the partition whose batch it holds. */
export interface PartitionControl {
  /** The group's committed offset for this partition, or null if it has none. */
  committed(): Promise<string | null>;
  /** The first offset whose record was written at or after `timestamp` (ms), or the end of the partition. */
  offsetAt(timestamp: number): Promise<string>;
  /** Fetches from `offset` next; the rest of the current batch is dropped. */
  seek(offset: string): void;
}

export interface ReplayingConsumerOptions {
  /** Names the consumer in logs and metrics, e.g. telemetry-consumer. */
  name: string;
  groupId: string;
  topic: string;
  fromBeginning: boolean;
  /** Partitions handled at once; while one waits for its outputs to be acked, another can run. */
  concurrency?: number;
  /** The full assignment after every rebalance. */
  onAssigned: (partitions: PartitionRef[]) => void;
  /**
   * Handles one batch of one partition in offset order and returns the offset to commit
   * (the next one to read), or null to commit nothing. It may instead return `{ later }`:
   * the consumer then fetches on while the batch is finished elsewhere, and commits `later`'s
   * offset once it resolves, in batch order. If `later` rejects, the partition is read again
   * from its last commit.
   */
  handle: (records: ConsumedRecord[], control: PartitionControl) => Promise<HandleResult>;
}

export type HandleResult = string | null | { later: Promise<string | null> };

/**
 * A consumer-group member for stateful processing: offsets are committed only when the
 * handler says its outputs are safe, and a handler can rewind a partition to rebuild its
 * state by replay. Auto-commit is off because kafkajs commits a seek target when it is on,
 * which would move the group's offset backwards.
 */
export class ReplayingConsumer {
  readonly supervisor: SupervisedConsumer;
  private readonly admin: Admin;
  private adminConnected = false;
  /** Per partition: the deferred commits in flight; resolves false once one has failed. */
  private readonly commitChains = new Map<number, Promise<boolean>>();
  /** Partitions sent back to their last commit after a failed batch, with that offset. */
  private readonly rewinding = new Map<number, string>();

  constructor(
    kafka: Kafka,
    private readonly options: ReplayingConsumerOptions,
    private readonly metrics: KafkaMetrics,
    private readonly logger: KafkaLogger,
  ) {
    this.supervisor = new SupervisedConsumer(
      options.name,
      () => kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: false }),
      (consumer) => this.run(consumer),
      metrics,
      logger,
    );
    this.admin = kafka.admin();
  }

  /** Resolves once the consumer runs; it keeps retrying while Kafka is away. */
  start(): Promise<void> {
    return this.supervisor.start();
  }

  /** The consumer running now; a seek or commit for a replaced one has nothing to act on. */
  private get consumer(): Consumer {
    const consumer = this.supervisor.current;
    if (!consumer) throw new Error(`${this.options.name} is being replaced`);
    return consumer;
  }

  private async run(consumer: Consumer): Promise<void> {
    if (!this.adminConnected) {
      await this.admin.connect();
      this.adminConnected = true;
    }
    // A new consumer reads from the group's commits; what the old one was rewinding or committing is moot.
    this.rewinding.clear();
    this.commitChains.clear();
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      const assignment = event.payload.memberAssignment;
      this.options.onAssigned(Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition }))));
    });
    await consumer.subscribe({ topics: [this.options.topic], fromBeginning: this.options.fromBeginning });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.concurrency ?? 1,
      eachBatch: (payload) => this.supervisor.whileHandling(() => this.handleBatch(consumer, payload)),
    });
  }

  private async handleBatch(consumer: Consumer, payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0 || payload.isStale()) return;
    const { topic, partition } = batch;
    if (this.awaitingRewind(consumer, batch)) return;
    let sought = false;
    const control: PartitionControl = {
      committed: () => this.committed(topic, partition),
      offsetAt: (timestamp) => this.offsetAt(topic, partition, timestamp),
      seek: (offset) => {
        sought = true;
        consumer.seek({ topic, partition, offset });
      },
    };
    const records = batch.messages.map((m) => toRecord(topic, partition, m));
    let result: HandleResult;
    try {
      result = await this.options.handle(records, control);
    } catch (error) {
      this.logger.error({ err: describe(error), topic, partition }, 'batch handler failed; it will be redelivered');
      throw error;
    }
    if (sought) return;
    payload.resolveOffset(batch.lastOffset());
    if (result !== null && typeof result === 'object') this.commitLater(topic, partition, result.later);
    else if (result !== null) await this.commit(topic, partition, result);
    this.metrics.consumed.inc({ topic }, records.length);
    await payload.heartbeat();
  }

  /** Whether `batch` is skipped because its partition is being rewound; the first batch of the re-read ends the rewind. */
  private awaitingRewind(consumer: Consumer, batch: Batch): boolean {
    const { topic, partition } = batch;
    const rewindTo = this.rewinding.get(partition);
    if (rewindTo === undefined) return false;
    // Until the re-read arrives, batches fetched before the seek must neither be handled nor committed.
    if (Number(batch.firstOffset() ?? rewindTo) > Number(rewindTo)) {
      consumer.seek({ topic, partition, offset: rewindTo });
      return true;
    }
    this.rewinding.delete(partition);
    this.commitChains.delete(partition);
    return false;
  }

  /** Commits deferred offsets in batch order; a failure rewinds the partition to its last commit. */
  private commitLater(topic: string, partition: number, later: Promise<string | null>): void {
    const previous = this.commitChains.get(partition) ?? Promise.resolve(true);
    const next = previous.then(async (healthy) => {
      const offset = await later.catch((error: unknown) => {
        if (healthy) this.logger.error({ err: describe(error), topic, partition }, 'batch failed after it was fetched past; reading the partition again from its last commit');
        return undefined;
      });
      if (!healthy) return false;
      if (offset === undefined) {
        const committed = (await this.committed(topic, partition).catch(() => null)) ?? '0';
        this.rewinding.set(partition, committed);
        this.supervisor.current?.seek({ topic, partition, offset: committed });
        return false;
      }
      if (offset !== null) await this.commit(topic, partition, offset).catch((err: unknown) => this.logger.warn({ err: describe(err), topic, partition }, 'offset commit failed; the next commit covers it'));
      return true;
    });
    this.commitChains.set(partition, next);
  }

  private async commit(topic: string, partition: number, offset: string): Promise<void> {
    await this.consumer.commitOffsets([{ topic, partition, offset }]);
    this.metrics.committed.inc({ topic });
  }

  async stop(): Promise<void> {
    await Promise.all(this.commitChains.values());
    await this.supervisor.stop();
    await this.admin.disconnect();
  }

  private async committed(topic: string, partition: number): Promise<string | null> {
    const [result] = await this.admin.fetchOffsets({ groupId: this.options.groupId, topics: [topic] });
    const offset = result?.partitions.find((p) => p.partition === partition)?.offset;
    return offset === undefined || offset === '-1' ? null : offset;
  }

  private async offsetAt(topic: string, partition: number, timestamp: number): Promise<string> {
    const offsets = await this.admin.fetchTopicOffsetsByTimestamp(topic, timestamp);
    const found = offsets.find((p) => p.partition === partition)?.offset;
    if (found !== undefined && found !== '-1') return found;
    const ends = await this.admin.fetchTopicOffsets(topic);
    return ends.find((p) => p.partition === partition)?.high ?? '0';
  }
}
