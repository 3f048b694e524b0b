import { setTimeout as sleep } from 'node:timers/promises';
import { type Consumer } from 'kafkajs';
import { retryWithBackoff } from '@fieldlink/resilience';
import { describe } from './errors';
import { type KafkaMetrics } from './kafka.metrics';
import { type KafkaLogger } from './kafka.options';

// As kafkajs's own maxRetryTime: a consumer must be back within seconds of Kafka's return.
const MAX_BACKOFF_MS = 5000;
const DISCONNECT_WAIT_MS = 5000;

/**
 * Keeps one kafkajs consumer running for the life of the service.
 *
 * kafkajs restarts a crashed consumer itself only while the cause is retriable. When it is not
 * (a KafkaJSNonRetriableError wrapping ECONNREFUSED, while a broker restarts) it emits CRASH with
 * `restart: false` and that consumer never runs again, with no further log line (issue 10).
 * This then builds a new consumer and starts it, with backoff, until it runs or is stopped; the
 * watchdog can ask for the same.
 */
export class SupervisedConsumer {
  private consumer: Consumer | undefined;
  private generation = 0;
  private stopped = false;
  private restarting: Promise<void> | undefined;
  private handling = 0;
  private lastProgress = Date.now();
  private joined = false;

  constructor(
    readonly name: string,
    private readonly create: () => Consumer,
    /** Subscribes and runs a freshly connected consumer; called again for every new one. */
    private readonly run: (consumer: Consumer) => Promise<void>,
    private readonly metrics: KafkaMetrics,
    private readonly logger: KafkaLogger,
  ) {}

  /** The consumer running now. */
  get current(): Consumer | undefined {
    return this.consumer;
  }

  /** In the group and fetching. */
  get connected(): boolean {
    return this.joined;
  }

  /** The last fetch or handled batch; a running consumer fetches at least every maxWaitTime (5 s). */
  get lastProgressAt(): number {
    return this.lastProgress;
  }

  /** False while a handler runs: a slow handler is not a stalled Kafka client. */
  get idle(): boolean {
    return this.handling === 0;
  }

  /** Wraps a batch handler so that its time counts as progress, not as a stall. */
  async whileHandling<T>(work: () => Promise<T>): Promise<T> {
    this.handling++;
    try {
      return await work();
    } finally {
      this.handling--;
      this.lastProgress = Date.now();
    }
  }

  /** Resolves once a consumer runs; until then it retries with backoff (or until stopped). */
  async start(): Promise<void> {
    await this.launchUntilRunning();
  }

  /** Replaces the consumer with a new one; concurrent calls share one restart. */
  restart(reason: string): Promise<void> {
    this.restarting ??= (async () => {
      this.metrics.consumerRestarts.inc({ client: this.name, reason });
      const old = this.consumer;
      this.consumer = undefined;
      this.joined = false;
      this.generation++;
      await this.dispose(old);
      await this.launchUntilRunning();
    })().finally(() => {
      this.restarting = undefined;
    });
    return this.restarting;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.restarting?.catch(() => undefined);
    await this.consumer?.disconnect();
  }

  private async launchUntilRunning(): Promise<void> {
    await retryWithBackoff(
      async () => {
        await this.launch();
        this.lastProgress = Date.now();
      },
      {
        initialMs: 500,
        maxMs: MAX_BACKOFF_MS,
        stopped: () => this.stopped,
        onFailure: (error, retryInMs) => this.logger.warn({ err: describe(error), client: this.name, retryInMs }, 'could not start the Kafka consumer; retrying'),
      },
    );
  }

  private async launch(): Promise<void> {
    const consumer = this.create();
    const generation = ++this.generation;
    const mine = () => generation === this.generation;
    const { events } = consumer;
    consumer.on(events.GROUP_JOIN, () => {
      if (mine()) this.joined = true;
    });
    consumer.on(events.FETCH, () => {
      if (mine()) this.lastProgress = Date.now();
    });
    consumer.on(events.DISCONNECT, () => {
      if (mine()) this.joined = false;
    });
    consumer.on(events.CRASH, ({ payload }) => {
      if (!mine()) return;
      this.joined = false;
      if (payload.restart || this.stopped) return;
      this.logger.error({ err: describe(payload.error), client: this.name }, 'kafkajs gave up on the consumer; starting a new one');
      void this.restart('crash');
    });
    this.consumer = consumer;
    try {
      await consumer.connect();
      await this.run(consumer);
    } catch (error) {
      if (mine()) this.consumer = undefined;
      await this.dispose(consumer);
      throw error;
    }
  }

  private async dispose(consumer: Consumer | undefined): Promise<void> {
    if (!consumer) return;
    // A consumer whose broker vanished may never finish leaving its group.
    await Promise.race([consumer.disconnect().catch(() => undefined), sleep(DISCONNECT_WAIT_MS)]);
  }
}
