import { type Consumer, type Kafka } from 'kafkajs';
import { type KafkaMetrics } from './kafka.metrics';
import { type KafkaLogger } from './kafka.options';
import { SupervisedConsumer } from './supervised-consumer';

export interface GroupMembershipOptions {
  /** Names the member in logs and metrics. */
  name: string;
  groupId: string;
  /** A topic nobody writes to: its partitions are the units the group shares out. */
  topic: string;
  /** How long the coordinator waits for a silent member before giving its partitions to others. */
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** Told the partitions this member holds each time that changes; [] once it may no longer assume it holds any. */
  onAssignment: (partitions: number[]) => void;
}

/**
 * Kafka consumer-group membership as a lease on partitions: every member of the group gets a
 * share of the topic's partitions from the group coordinator, and a member that dies loses its
 * share to the others after sessionTimeoutMs.
 *
 * A member that cannot reach the coordinator keeps its share until it can, and the next join
 * says what it holds: it lets go only once another member has taken over. Giving up on silence
 * would stop an OPC UA gateway reading its PLCs through every Kafka outage longer than the
 * session timeout, whose changes the spool exists to keep. The cost is an overlap when this
 * member alone lost Kafka while others did not: both serve the share until this one rejoins.
 * Readings keep their ids (from the server's timestamps), so consumers drop the second copy, and
 * a member cut off from Kafka receives no commands to execute twice.
 */
export class GroupMembership {
  private assigned: number[] = [];
  private lastHeartbeat = 0;
  private watch: NodeJS.Timeout | undefined;
  private silent = false;
  readonly supervisor: SupervisedConsumer;

  constructor(
    kafka: Kafka,
    private readonly options: GroupMembershipOptions,
    metrics: KafkaMetrics,
    private readonly logger: KafkaLogger,
  ) {
    this.supervisor = new SupervisedConsumer(
      options.name,
      () =>
        kafka.consumer({
          groupId: options.groupId,
          allowAutoTopicCreation: false,
          sessionTimeout: options.sessionTimeoutMs,
          heartbeatInterval: options.heartbeatIntervalMs,
          // kafkajs heartbeats between fetches; with nothing to fetch each waits this long.
          maxWaitTimeInMs: options.heartbeatIntervalMs,
          rebalanceTimeout: options.sessionTimeoutMs,
        }),
      (consumer) => this.run(consumer),
      metrics,
      logger,
    );
  }

  /** The partitions held now. */
  get partitions(): readonly number[] {
    return this.assigned;
  }

  /** Resolves once the member runs (it keeps retrying while Kafka is away); the first assignment follows. */
  async start(): Promise<void> {
    this.watch ??= setInterval(() => this.checkSilence(), Math.max(100, Math.floor(this.options.heartbeatIntervalMs / 2)));
    await this.supervisor.start();
  }

  async stop(): Promise<void> {
    clearInterval(this.watch);
    this.watch = undefined;
    await this.supervisor.stop();
    this.set([]);
  }

  private async run(consumer: Consumer): Promise<void> {
    const { events } = consumer;
    consumer.on(events.GROUP_JOIN, ({ payload }) => {
      this.lastHeartbeat = Date.now();
      this.set([...(payload.memberAssignment[this.options.topic] ?? [])].sort((a, b) => a - b));
    });
    consumer.on(events.HEARTBEAT, () => (this.lastHeartbeat = Date.now()));
    // A crashed consumer is replaced, and its successor's join says what is held; until then the share is kept.
    await consumer.subscribe({ topics: [this.options.topic], fromBeginning: false });
    await consumer.run({ eachBatch: () => Promise.resolve() });
  }

  private checkSilence(): void {
    const silentMs = Date.now() - this.lastHeartbeat;
    const silent = this.assigned.length > 0 && silentMs > this.options.sessionTimeoutMs;
    if (silent && !this.silent) {
      this.logger.warn(
        { client: this.options.name, silentMs, partitions: this.assigned },
        'no heartbeat reached the group coordinator within the session timeout; keeping this share until a join says otherwise (another member may serve it meanwhile)',
      );
    }
    this.silent = silent;
  }

  private set(partitions: number[]): void {
    if (partitions.length === this.assigned.length && partitions.every((p, i) => p === this.assigned[i])) return;
    this.assigned = partitions;
    this.options.onAssignment(partitions);
  }
}
