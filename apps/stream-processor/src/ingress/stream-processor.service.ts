import { type ConsumedRecord, type HandleResult, type KafkaService, type PartitionControl, type PartitionRef, type ReplayingConsumer } from '@fieldlink/kafka';
import { InFlight } from '@fieldlink/resilience';
import { type Logger, type ServiceRuntime, topicSpecs } from '@fieldlink/service';
import { type TopicMap } from '@fieldlink/schemas';
import { type StreamProcessorConfig } from '../config/stream-processor.config';
import { type StreamMetrics } from '../health/stream.metrics';
import { ProcessingWorkers } from '../processing/processing-workers';

const MAX_BATCHES_IN_FLIGHT = 8;

/**
 * Consumes telemetry in a consumer group; each assigned partition's state (a PartitionProcessor)
 * lives on a worker thread, and this thread keeps where each partition stands. Delivery is at-least-once with deterministic output ids: outputs are produced
 * (acks=all) before the offset is committed, and a partition that arrives by restart or
 * rebalance first replays up to `replayHorizonMs` before its committed offset, silently,
 * to rebuild its windows and detectors. Only a crash between produce and commit re-emits
 * outputs, and those carry the same ids.
 */
export class StreamProcessorService implements ServiceRuntime {
  private readonly partitions = new Map<number, PartitionState>();
  private consumer: ReplayingConsumer | undefined;
  private workers: ProcessingWorkers | undefined;
  private readonly inFlight = new InFlight();
  private running = false;
  private silenceTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly kafka: KafkaService,
    private readonly config: StreamProcessorConfig,
    private readonly topics: TopicMap,
    private readonly metrics: StreamMetrics,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.kafka.ensureTopics(topicSpecs(['telemetry', 'window-stats', 'alerts', 'commands', 'dead-letter', 'device-status'], this.topics, this.config.topics));
    this.workers = new ProcessingWorkers(this.config, this.metrics, this.logger);
    this.consumer = this.kafka.createReplayingConsumer({
      name: 'telemetry-consumer',
      groupId: this.config.processor.groupId,
      topic: this.topics.telemetry,
      fromBeginning: this.config.processor.startFrom === 'earliest',
      concurrency: this.config.processor.concurrentPartitions,
      onAssigned: (assigned) => this.onAssigned(assigned),
      handle: (records, control) => this.handle(records, control),
    });
    this.kafka.startWatchdog(this.config.kafka.watchdog);
    await this.consumer.start();
    this.running = true;
    if (this.config.silence.afterMs > 0 || this.config.silence.devices.length > 0) {
      this.silenceTimer = setInterval(() => void this.checkSilence(), this.config.silence.checkIntervalMs);
    }
    this.logger.info({ topic: this.topics.telemetry, group: this.config.processor.groupId }, 'stream processor consuming');
  }

  get isRunning(): boolean {
    return this.running;
  }

  async ready(): Promise<{ ready: boolean; checks: Record<string, boolean> }> {
    const checks = { consuming: this.running, kafka: await this.kafka.isReady() };
    return { ready: checks.consuming && checks.kafka, checks };
  }

  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.silenceTimer);
    await this.kafka.close(this.config.shutdown.drainTimeoutMs);
    await this.workers?.stop();
  }

  /**
   * Asks each partition that is caught up (not rewinding to replay) which devices went silent.
   * If Kafka does not take the reports, the partition's state is dropped, as after a failed batch:
   * it is rebuilt by replay when the partition is read next, and finds the same silence, same ids.
   */
  private async checkSilence(): Promise<void> {
    const now = Date.now();
    for (const [partition, state] of this.partitions) {
      if (!state.verified || state.rewoundTo !== undefined) continue;
      try {
        const outputs = await (this.workers as ProcessingWorkers).tick(partition, now);
        await Promise.all(outputs.map((o) => this.kafka.producer.send(o)));
      } catch (err) {
        this.logger.error({ err, partition }, 'could not report silent devices; the partition will be rebuilt');
        if (this.partitions.get(partition) === state) this.partitions.delete(partition);
      }
    }
  }

  /** kafkajs rebalances eagerly, so a partition we kept may still have been read by someone else meanwhile; handle() checks. */
  private onAssigned(assigned: PartitionRef[]): void {
    const mine = new Set(assigned.filter((p) => p.topic === this.topics.telemetry).map((p) => p.partition));
    // A partition caught mid-rewind restarts from the committed offset after the rebalance, so its replay must start over too.
    for (const [partition, state] of this.partitions) {
      if (mine.has(partition) && state.rewoundTo === undefined) continue;
      this.partitions.delete(partition);
      this.workers?.drop(partition);
    }
    for (const state of this.partitions.values()) state.verified = false;
    this.logger.info({ partitions: [...mine].sort((a, b) => a - b) }, 'partitions assigned');
  }

  /**
   * Hands the batch to its worker and returns at once, so the next fetch overlaps the
   * processing; the offset is committed once the outputs are in Kafka. At most
   * MAX_BATCHES_IN_FLIGHT batches wait, which bounds memory.
   */
  private async handle(records: ConsumedRecord[], control: PartitionControl): Promise<HandleResult> {
    const first = records[0];
    if (!first) return null;
    const state = await this.stateFor(first, control);
    if (!state) return null;
    const later = (this.workers as ProcessingWorkers).process(records).then(async ({ outputs, nextOffset }) => {
      state.nextOffset = nextOffset;
      await Promise.all(outputs.map((o) => this.kafka.producer.send(o)));
      return nextOffset > state.replayUntil ? String(nextOffset) : null;
    });
    const settled = later.then(
      () => undefined,
      () => {
        // The state may have moved past outputs Kafka does not hold; rebuild it when the partition is read again.
        if (this.partitions.get(first.partition) === state) this.partitions.delete(first.partition);
      },
    );
    this.inFlight.track(settled);
    await this.inFlight.waitBelow(MAX_BATCHES_IN_FLIGHT + 1);
    return { later };
  }

  /** The partition's state, once it is known to continue exactly where the group's committed offset says. */
  private async stateFor(first: ConsumedRecord, control: PartitionControl): Promise<PartitionState | null> {
    const known = this.partitions.get(first.partition);
    // Offsets may have gaps, so the first batch after a rewind can start past the target.
    if (known?.rewoundTo !== undefined && Number(first.offset) >= known.rewoundTo) {
      known.rewoundTo = undefined;
      known.verified = true;
      return known;
    }
    if (known?.verified) return known;
    const committed = await control.committed();
    if (known && committed !== null && Number(committed) === known.nextOffset) {
      known.verified = true;
      return known;
    }
    return this.restore(first, committed, control);
  }

  /** Starts a partition from scratch; returns null when it rewinds to replay first. */
  private async restore(first: ConsumedRecord, committed: string | null, control: PartitionControl): Promise<PartitionState | null> {
    const state: PartitionState = { nextOffset: -1, replayUntil: -1, verified: true };
    this.partitions.set(first.partition, state);
    if (committed === null) {
      this.workers?.reset(first.partition, state.nextOffset, state.replayUntil);
      this.logger.info({ partition: first.partition, offset: first.offset }, 'partition has no committed offset; starting fresh');
      return state;
    }
    const horizon = await control.offsetAt(Date.now() - this.config.processor.replayHorizonMs);
    const from = Math.min(Number(horizon), Number(committed));
    state.replayUntil = Number(committed);
    state.nextOffset = from;
    this.workers?.reset(first.partition, from, state.replayUntil);
    this.logger.info({ partition: first.partition, from, until: committed }, 'rebuilding partition state by replay');
    if (Number(first.offset) === from) return state;
    state.verified = false;
    state.rewoundTo = from;
    control.seek(String(from));
    return null;
  }
}

/** Where a partition stands; its windows and detectors are on the worker. */
interface PartitionState {
  /** The next offset to apply; below it, records were applied already. */
  nextOffset: number;
  /** Below this offset, records only rebuild state. */
  replayUntil: number;
  /** False until the committed offset has been checked against this state since the last rebalance. */
  verified: boolean;
  /** Set while waiting for the records of a replay to arrive. */
  rewoundTo?: number;
}
