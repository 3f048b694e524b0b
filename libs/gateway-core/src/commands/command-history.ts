import { type ConsumedRecord, type KafkaService } from '@fieldlink/kafka';
import { type TopicMap, parseJson, readCommandResult } from '@fieldlink/schemas';
import { type Logger } from '@fieldlink/service';
import { TopicFollower } from '../devices/topic-follower';
import { RecentIds } from './recent-ids';

/** Command ids remembered as having reached their device, and as answered at all; about 100 bytes each. */
export const REMEMBERED_COMMANDS = 100_000;

/** Which commands have reached their device already; the dispatcher delivers no copy of one. */
export interface DeliveredCommands {
  start(): Promise<void>;
  /** Whether the device has had this command (by any gateway instance, as far as can be known now). */
  has(deviceId: string, id: string): Promise<boolean>;
  /** Whether any instance has written a result for this command, whatever its status. */
  answered(deviceId: string, id: string): Promise<boolean>;
  /** This instance delivered it and wrote its result. */
  add(deviceId: string, id: string): void;
}

export interface CommandHistoryOptions {
  topics: TopicMap;
  /** A group of this instance's own: `command-results` is read from its beginning on every start. */
  groupId: string;
  /** How long a check waits for the history to catch up with Kafka before it answers from what it has. */
  catchUpTimeoutMs: number;
  /** How long the first load may take at startup. */
  loadTimeoutMs: number;
}

/**
 * The commands that reached their device, from the `delivered` and `succeeded` records of
 * `command-results`, which every gateway instance writes: a copy of a command (produced twice,
 * replayed, or redelivered after a restart or a rebalance, to this instance or another) is
 * not delivered again. It covers the last REMEMBERED_COMMANDS such commands within the topic's
 * retention. A command that failed or expired may be sent again under its id, and is then
 * tried again.
 */
export class CommandHistory implements DeliveredCommands {
  private readonly reached = new RecentIds(REMEMBERED_COMMANDS);
  private readonly results = new RecentIds(REMEMBERED_COMMANDS);
  private readonly follower: TopicFollower;
  private loaded = 0;

  constructor(
    kafka: KafkaService,
    private readonly options: CommandHistoryOptions,
    private readonly logger: Logger,
  ) {
    this.follower = new TopicFollower(
      kafka,
      { name: 'command-results-consumer', what: 'command history', groupId: options.groupId, topic: options.topics['command-results'], apply: (r) => this.apply(r), progress: () => ({ delivered: this.loaded }) },
      logger,
    );
  }

  async start(): Promise<void> {
    await this.follower.start();
    const complete = await this.follower.caughtUp(this.options.loadTimeoutMs);
    if (complete) this.logger.info({ delivered: this.loaded }, 'command history loaded');
    else this.logger.error({ delivered: this.loaded, loadTimeoutMs: this.options.loadTimeoutMs }, 'command history not loaded within devices.loadTimeoutMs; a copy of an older command may be delivered again');
  }

  async has(deviceId: string, id: string): Promise<boolean> {
    await this.follower.recentlyCaughtUp(this.options.catchUpTimeoutMs);
    return this.reached.has(key(deviceId, id));
  }

  async answered(deviceId: string, id: string): Promise<boolean> {
    await this.follower.recentlyCaughtUp(this.options.catchUpTimeoutMs);
    return this.results.has(key(deviceId, id));
  }

  add(deviceId: string, id: string): void {
    this.reached.add(key(deviceId, id));
  }

  private apply(record: ConsumedRecord): void {
    if (!record.value) return;
    try {
      const result = readCommandResult.assert(parseJson(record.value));
      this.results.add(key(result.deviceId, result.id));
      if (result.status !== 'delivered' && result.status !== 'succeeded') return;
      this.add(result.deviceId, result.id);
      this.loaded++;
    } catch (err) {
      this.logger.warn({ err, offset: record.offset }, 'ignoring an invalid command result');
    }
  }
}

function key(deviceId: string, id: string): string {
  return `${deviceId}\u0000${id}`;
}
