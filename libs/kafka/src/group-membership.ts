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
 * share to the others after sessionTimeoutMs. A member that cannot heartbeat for as long gives
 * its share up itself, since the coordinator will have given it to someone else by then.
 */
export class GroupMembership {
  private assigned: number[] = [];
  private lastHeartbeat = 0;
  private fence: NodeJS.Timeout | undefined;
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
    this.fence ??= setInterval(() => this.checkFence(), Math.max(100, Math.floor(this.options.heartbeatIntervalMs / 2)));
    await this.supervisor.start();
  }

  async stop(): Promise<void> {
    clearInterval(this.fence);
    this.fence = undefined;
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
    // Until the next join says otherwise, nothing is held: giving up early costs a short gap, holding on a double owner.
    consumer.on(events.CRASH, () => this.set([]));
    consumer.on(events.STOP, () => this.set([]));
    await consumer.subscribe({ topics: [this.options.topic], fromBeginning: false });
    await consumer.run({ eachBatch: () => Promise.resolve() });
  }

  private checkFence(): void {
    if (this.assigned.length === 0) return;
    const silentMs = Date.now() - this.lastHeartbeat;
    // Released a heartbeat before the coordinator's deadline, so the next owner never overlaps this one.
    if (silentMs > this.options.sessionTimeoutMs - this.options.heartbeatIntervalMs) {
      this.logger.warn({ client: this.options.name, silentMs }, 'no heartbeat reached the group coordinator in time; releasing every partition');
      this.set([]);
    }
  }

  private set(partitions: number[]): void {
    if (partitions.length === this.assigned.length && partitions.every((p, i) => p === this.assigned[i])) return;
    this.assigned = partitions;
    this.options.onAssignment(partitions);
  }
}
