import { type GroupMembership, type KafkaService } from '@fieldlink/kafka';
import { retryWithBackoff } from '@fieldlink/resilience';
import { type Logger } from '@fieldlink/service';
import { type EndpointOwnership } from './endpoint-ownership';

export interface KafkaGroupOwnershipOptions {
  groupId: string;
  /** Partition i of this topic stands for the i-th endpoint in name order; no records are written to it. */
  topic: string;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** An endpoint newly given to this replica waits this long, so the replica it comes from has let go first. */
  handoverDelayMs: number;
}

/**
 * Endpoints shared out by Kafka consumer-group membership: every replica with the same endpoint
 * list joins one group over a topic with a partition per endpoint, and serves the endpoints whose
 * partitions the coordinator assigns it. A replica that dies loses them after sessionTimeoutMs.
 */
export class KafkaGroupOwnership implements EndpointOwnership {
  private membership: GroupMembership | undefined;
  private readonly names: string[];
  private onChange: ((owned: ReadonlySet<string>) => Promise<void>) | undefined;
  private applying: Promise<void> = Promise.resolve();
  private joining: Promise<void> | undefined;
  private stopped = false;
  private readonly pendingTimers = new Set<NodeJS.Timeout>();
  private owned = new Set<string>();
  /** What the coordinator last assigned, including endpoints still waiting out the handover delay. */
  private target = new Set<string>();

  constructor(
    private readonly kafka: KafkaService,
    names: readonly string[],
    private readonly options: KafkaGroupOwnershipOptions,
    private readonly logger: Logger,
  ) {
    this.names = [...names].sort();
  }

  /** In the group: the coordinator has given this replica its share, which may be none. */
  get joined(): boolean {
    return this.membership?.supervisor.connected === true;
  }

  get assigned(): ReadonlySet<string> {
    return this.target;
  }

  /** Joins in the background, retrying while Kafka is not ready, so the gateway's start never waits for the group. */
  start(onChange: (owned: ReadonlySet<string>) => Promise<void>): Promise<void> {
    this.onChange = onChange;
    this.stopped = false;
    this.joining ??= this.join().catch((err: unknown) => this.logger.error({ err }, 'joining the OPC UA endpoint group failed'));
    return Promise.resolve();
  }

  private async join(): Promise<void> {
    // Right after a topic is created its metadata can still be missing for a moment (a retriable error).
    await retryWithBackoff(() => this.kafka.ensurePartitions({ topic: this.options.topic, partitions: Math.max(1, this.names.length) }), {
      initialMs: 250,
      maxMs: 5000,
      stopped: () => this.stopped,
      onFailure: (err, retryInMs) => this.logger.warn({ err, topic: this.options.topic, retryInMs }, 'could not prepare the OPC UA endpoint group topic; retrying'),
    });
    if (this.stopped) return;
    this.membership ??= this.kafka.createMembership({
      name: 'opcua-endpoint-owner',
      groupId: this.options.groupId,
      topic: this.options.topic,
      sessionTimeoutMs: this.options.sessionTimeoutMs,
      heartbeatIntervalMs: this.options.heartbeatIntervalMs,
      onAssignment: (partitions) => this.assign(partitions),
    });
    await this.membership.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.pendingTimers) clearTimeout(timer);
    this.pendingTimers.clear();
    await this.membership?.stop();
    await this.applying;
  }

  private assign(partitions: number[]): void {
    const next = new Set(partitions.flatMap((p) => (this.names[p] !== undefined ? [this.names[p]] : [])));
    this.target = next;
    const released = [...this.owned].filter((n) => !next.has(n));
    const acquired = [...next].filter((n) => !this.owned.has(n));
    this.logger.info({ partitions, serve: [...next], released, acquired }, 'OPC UA endpoint share changed');
    // Releases at once; acquisitions after the handover delay, unless taken away again meanwhile.
    const kept = new Set([...this.owned].filter((n) => next.has(n)));
    this.apply(kept);
    if (acquired.length === 0) return;
    const timer = setTimeout(() => {
      this.pendingTimers.delete(timer);
      const still = acquired.filter((n) => this.target.has(n));
      if (still.length > 0) this.apply(new Set([...this.owned, ...still]));
    }, this.options.handoverDelayMs);
    this.pendingTimers.add(timer);
  }

  private apply(owned: Set<string>): void {
    this.owned = owned;
    const snapshot = new Set(owned);
    this.applying = this.applying.then(() => this.onChange?.(snapshot)).catch((err: unknown) => this.logger.error({ err }, 'changing the served OPC UA endpoints failed'));
  }
}
