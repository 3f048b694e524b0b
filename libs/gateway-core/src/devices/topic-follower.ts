import { setTimeout as sleep } from 'node:timers/promises';
import { type BatchConsumer, type ConsumedRecord, type KafkaService } from '@fieldlink/kafka';
import { type Logger } from '@fieldlink/service';

const CATCH_UP_REUSE_MS = 100;
const PROGRESS_LOG_MS = 10_000;

export interface TopicFollowerOptions {
  /** Names the consumer in logs and metrics, e.g. devices-consumer. */
  name: string;
  /** What is read, for logs: "device registry". */
  what: string;
  /** A group of this instance's own: the topic is read from its beginning on every start. */
  groupId: string;
  topic: string;
  apply: (record: ConsumedRecord) => void;
  /** Fields for the progress log while loading, e.g. how many devices are held. */
  progress: () => Record<string, unknown>;
}

/**
 * Reads a whole topic into memory, from its beginning on every start and then as it grows,
 * and can wait until it has read everything the topic held when asked: decisions made from
 * half of it would be wrong.
 */
export class TopicFollower {
  /** The next offset to read, per partition. */
  private readonly positions = new Map<number, bigint>();
  private catchUp: { at: number; done: Promise<boolean> } | undefined;
  private consumer: BatchConsumer | undefined;

  constructor(
    private readonly kafka: KafkaService,
    private readonly options: TopicFollowerOptions,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    // Created once: start() is retried while Kafka is away, and each consumer is watched for good.
    this.consumer ??= this.kafka.createConsumer({
      name: this.options.name,
      groupId: this.options.groupId,
      topics: [this.options.topic],
      rewindOnStart: true,
      handle: (records) =>
        Promise.resolve(
          records.forEach((r) => {
            this.advance(r.partition, BigInt(r.offset) + 1n);
            this.options.apply(r);
          }),
        ),
      onPosition: (partition, next) => this.advance(partition, next),
    });
    await this.consumer.start();
  }

  /** As caughtUp, but lookups close together share one catch-up, so a batch of them asks Kafka once. */
  recentlyCaughtUp(timeoutMs: number): Promise<boolean> {
    const now = Date.now();
    if (!this.catchUp || now - this.catchUp.at > CATCH_UP_REUSE_MS) this.catchUp = { at: now, done: this.caughtUp(timeoutMs) };
    return this.catchUp.done;
  }

  /** Waits until everything in the topic now has been read (true), or the deadline passes (false). */
  async caughtUp(timeoutMs: number): Promise<boolean> {
    const { what } = this.options;
    const deadline = Date.now() + timeoutMs;
    let ends: Map<number, bigint> | undefined;
    while (!ends) {
      try {
        ends = await this.kafka.endOffsets(this.options.topic);
      } catch (err) {
        if (Date.now() > deadline) {
          this.logger.warn({ err }, `cannot read the ${what} end offsets; answering from what is loaded`);
          return false;
        }
        await sleep(500);
      }
    }
    const target = ends;
    const behind = () => [...target].some(([partition, end]) => end > 0n && (this.positions.get(partition) ?? 0n) < end);
    let nextProgressLog = Date.now() + PROGRESS_LOG_MS;
    while (behind()) {
      if (Date.now() > deadline) {
        const lagging = [...target].filter(([partition, end]) => (this.positions.get(partition) ?? 0n) < end).map(([partition, end]) => `${partition}: ${this.positions.get(partition) ?? 0n} of ${end}`);
        this.logger.warn({ lagging }, `${what} still behind Kafka; answering from what is loaded`);
        return false;
      }
      if (Date.now() > nextProgressLog) {
        this.logger.info(this.options.progress(), `${what} still loading; commands wait for it`);
        nextProgressLog = Date.now() + PROGRESS_LOG_MS;
      }
      await sleep(20);
    }
    return true;
  }

  private advance(partition: number, next: bigint): void {
    if (next > (this.positions.get(partition) ?? 0n)) this.positions.set(partition, next);
  }
}
