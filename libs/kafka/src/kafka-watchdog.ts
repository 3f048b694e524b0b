import { describe } from './errors';
import { type KafkaLogger } from './kafka.options';

/** One Kafka client as the watchdog sees it. */
export interface WatchedClient {
  readonly name: string;
  /** True while the client has work it should be getting done (records to send, a group to fetch for). */
  waiting(): boolean;
  /** When it last got some done. */
  lastProgressAt(): number;
}

export interface WatchdogOptions {
  /** Work waiting this long, with Kafka answering and nothing moving, is a stall. */
  stallMs: number;
  /** How often to look. */
  intervalMs: number;
}

export interface WatchdogActions {
  /** Opens a fresh connection and asks the cluster something; true if it answered. */
  probe(): Promise<boolean>;
  /** Replaces every Kafka client with a new one. */
  rebuild(): Promise<void>;
  onRebuild(): void;
  onLivenessFailure(): void;
}

export type WatchdogState = 'ok' | 'rebuilt' | 'failed';

/**
 * Catches the stall nobody has met yet (issue 10): a client has work waiting, a fresh connection
 * to Kafka succeeds, and still nothing has moved for stallMs. The first time, the Kafka clients
 * are rebuilt; if nothing moves for another stallMs after that, `live` turns false so that an
 * orchestrator restarts the service. A stall is measured from the latest of: the client's last
 * progress, the last time a probe found Kafka away, and the last rebuild, so a broker that
 * was away for an hour is given stallMs to be used after it returns.
 */
export class KafkaWatchdog {
  private state: WatchdogState = 'ok';
  /** The last time a probe found Kafka away. */
  private unreachableAt = 0;
  private rebuiltAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;

  constructor(
    /** Called at every look, so clients created later are watched too. */
    private readonly clients: () => WatchedClient[],
    private readonly actions: WatchdogActions,
    private readonly options: WatchdogOptions,
    private readonly logger: KafkaLogger,
  ) {}

  get live(): boolean {
    return this.state !== 'failed';
  }

  get status(): WatchdogState {
    return this.state;
  }

  start(): void {
    this.timer = setInterval(() => {
      this.checking ??= this.check()
        .catch((err: unknown) => this.logger.error({ err: describe(err) }, 'Kafka watchdog check failed'))
        .finally(() => (this.checking = undefined));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.checking;
  }

  /** One look; exported for tests that drive the clock themselves. */
  async check(now = Date.now()): Promise<void> {
    const waiting = this.clients().filter((c) => c.waiting());
    const idleFor = (c: WatchedClient) => now - Math.max(c.lastProgressAt(), this.rebuiltAt);
    // Before spending a connection on a probe, some client must have waited a whole interval.
    const suspects = waiting.filter((c) => idleFor(c) >= this.options.intervalMs);
    if (suspects.length === 0) {
      if (waiting.every((c) => c.lastProgressAt() > this.rebuiltAt)) this.recovered();
      return;
    }
    if (!(await this.actions.probe())) {
      this.unreachableAt = now; // Kafka itself is away: the clients' own retries are the cure
      return;
    }
    const stalled = suspects.filter((c) => now - Math.max(c.lastProgressAt(), this.rebuiltAt, this.unreachableAt) >= this.options.stallMs);
    if (stalled.length === 0) return;
    const detail = { clients: stalled.map((c) => c.name), stalledMs: Math.min(...stalled.map(idleFor)) };
    if (this.state === 'ok') {
      this.logger.error(detail, 'Kafka answers a fresh connection, but our clients have moved nothing; rebuilding them');
      this.state = 'rebuilt';
      this.rebuiltAt = now;
      this.actions.onRebuild();
      await this.actions.rebuild();
    } else if (this.state === 'rebuilt') {
      this.logger.error(detail, 'Kafka clients still move nothing after a rebuild; failing /health/live so the service is restarted');
      this.state = 'failed';
      this.actions.onLivenessFailure();
    }
  }

  private recovered(): void {
    if (this.state === 'ok') return;
    this.logger.info({ was: this.state }, 'Kafka clients are moving again');
    this.state = 'ok';
  }
}
