import { setTimeout as sleep } from 'node:timers/promises';
import { type BatchConsumer, type ConsumedRecord, type KafkaService } from '@fieldlink/kafka';
import { type Command, type CommandResult, type DeviceRecord, SCHEMA_VERSION, type TopicMap, parseJson, validateCommand } from '@fieldlink/schemas';
import { withTimeout } from '@fieldlink/resilience';
import { type Logger } from '@fieldlink/service';
import { type DeviceRegistry } from '../devices/device-registry';
import { type DeadLetterWriter } from '../dead-letter/dead-letter.writer';
import { CoreErrorCode } from '../errors';
import { type Protocol } from '../ingest/inbound-message';
import { type IngestMetrics } from '../observability/ingest.metrics';
import { type DeliveredCommands } from './command-history';
import { CommandsElsewhere } from './commands-elsewhere';

/** What a delivery came to: `delivered` when the protocol took it and says nothing more (e.g. an MQTT PUBACK). */
export type DeliveryOutcome = { status: 'delivered' } | { status: 'succeeded'; output?: unknown } | { status: 'failed'; code: string; message: string };

/** What a gateway does with a command for one of its devices. */
export interface CommandTarget {
  readonly protocol: Protocol;
  /**
   * Resolves once the protocol has taken the command (MQTT PUBACK) or the device answered (an
   * OPC UA method call). `device` is its registry record: the route and native reference it was last seen on.
   * A rejection (or no answer within `deliverTimeoutMs`) is reported as `failed` FL_COMMAND_NOT_DELIVERED.
   */
  deliver(command: Command, device: DeviceRecord): Promise<DeliveryOutcome>;
}

export interface CommandDispatcherOptions {
  topics: TopicMap;
  instanceId: string;
  /** What the registry names as the gateway of this instance's devices: its instance id, or its command group. */
  servedAs: string;
  /**
   * The group that delivers this instance's devices' commands: the instance's own, or one its
   * command group shares, where each command goes to one member. Every command is seen there, and
   * those for the group's devices are delivered.
   */
  ownerGroupId: string;
  /** The group every gateway instance shares: one of them answers each command that no gateway serves. */
  routerGroupId: string;
  deliverTimeoutMs: number;
  /** Route name → the actions its devices accept; a route not in it accepts every action. */
  actionsByRoute: ReadonlyMap<string, readonly string[]>;
  /**
   * How long after reading a command for a device another instance served this instance waits,
   * once it takes the device over, before delivering the command if it still has no result: the
   * previous owner, if alive, has answered by then.
   */
  handoverGraceMs: number;
}

/** What a command came to, as its result record says. */
type Result = Pick<CommandResult, 'status' | 'code' | 'detail' | 'output'>;

/** The `source.mapping` and metrics label of a dead-lettered command record. */
const COMMANDS_MAPPING = 'commands';
/** Partitions of `commands` an instance delivers from at once. */
const COMMAND_PARTITIONS_AT_ONCE = 16;
/** Commands for devices served elsewhere, kept for a takeover. */
const MAX_COMMANDS_ELSEWHERE = 10_000;
const MAX_BYTES_ELSEWHERE = 16 * 1024 ** 2;
/** Tries at writing a taken-over command's result: 1 + 2 + 4 + 8 s between them. */
const REPORT_ATTEMPTS = 5;

/**
 * Commands reach exactly one gateway instance: the one the device registry says serves the
 * device. Each instance reads `commands` twice:
 * - in its own group, delivering the commands for its devices (and reporting `expired` for
 *   those whose expiry passed, also while it was down);
 * - in a group all gateways share, where the one instance that gets a command answers it with
 *   `failed` if no gateway serves the device, or a different one than the command names.
 * Both decide from the registry after it has caught up with Kafka, so the two never both answer.
 */
export class CommandDispatcher {
  private consumers: BatchConsumer[] | undefined;
  /** Commands that reached their device but whose result could not be written yet: a copy writes it. */
  private readonly unreported = new Map<string, Result>();
  /** Per device, a delivery that timed out but may still be going on (an OPC UA call, a queued publish). */
  private readonly lingering = new Map<string, Promise<unknown>>();
  /** Per device, the deliveries queued for it, so taken-over commands and new ones go out in order. */
  private readonly queues = new Map<string, Promise<void>>();
  private readonly elsewhere: CommandsElsewhere;
  /** Per device, commands taken over from its previous gateway, waiting out their grace. */
  private readonly takenOver = new Map<string, { command: Command; due: number }[]>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly kafka: KafkaService,
    private readonly target: CommandTarget,
    private readonly registry: DeviceRegistry,
    /**
     * Commands that reached their device and whose result is written, by any instance: a copy of
     * one (produced twice, replayed, redelivered after a failed batch or a restart) is not delivered again.
     */
    private readonly history: DeliveredCommands,
    private readonly deadLetters: DeadLetterWriter,
    private readonly options: CommandDispatcherOptions,
    private readonly metrics: IngestMetrics,
    private readonly logger: Logger,
  ) {
    this.elsewhere = new CommandsElsewhere({ max: MAX_COMMANDS_ELSEWHERE, maxBytes: MAX_BYTES_ELSEWHERE, maxAgeMs: Math.max(60_000, 4 * options.handoverGraceMs) });
    registry.onTaken((deviceId) => this.takeOver(deviceId));
  }

  /** Created once: start() is retried while Kafka is away, and each consumer is watched for good. */
  async start(): Promise<void> {
    await this.history.start();
    this.consumers ??= this.createConsumers();
    await Promise.all(this.consumers.map((c) => c.start()));
  }

  /**
   * Stops taking commands. A batch in hand is finished first (delivered, its results written and
   * its offsets committed), while the adapter is still up; what is not yet fetched stays in
   * Kafka for the next run or the next owner.
   */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled((this.consumers ?? []).map((c) => c.stop()));
    await Promise.allSettled([...this.queues.values()]);
  }

  private createConsumers(): BatchConsumer[] {
    const owner = this.kafka.createConsumer({
      name: 'commands-consumer',
      groupId: this.options.ownerGroupId,
      topics: [this.options.topics.commands],
      // A device waiting out its ACK (CoAP retransmissions, an OPC UA call) holds up only its
      // own partition's later commands, not the other partitions'.
      concurrency: COMMAND_PARTITIONS_AT_ONCE,
      handle: (records) => this.deliverOwn(records),
    });
    const router = this.kafka.createConsumer({
      name: 'command-router',
      groupId: this.options.routerGroupId,
      topics: [this.options.topics.commands],
      handle: async (records) => {
        for (const record of records) await this.answerUnserved(record);
      },
    });
    return [owner, router];
  }

  /** Devices in parallel, each device's commands in order, so one slow device holds up no other. */
  private async deliverOwn(records: ConsumedRecord[]): Promise<void> {
    const byDevice = new Map<string, Command[]>();
    for (const record of records) {
      const { command } = parse(record);
      if (command) byDevice.set(command.deviceId, [...(byDevice.get(command.deviceId) ?? []), command]);
    }
    await Promise.all(
      [...byDevice].map(([deviceId, commands]) =>
        this.inOrder(deviceId, async () => {
          for (const command of commands) {
            // Commands taken over from the previous gateway go first, so the device gets them in order.
            await this.deliverTakenOver(deviceId);
            const device = await this.ownRecord(command);
            if (device) await this.deliver(command, device);
            else if (await this.servedElsewhere(command)) this.elsewhere.add(command, Date.now());
          }
        }),
      ),
    );
  }

  /** Whether another instance of this gateway's protocol is to deliver the command. */
  private async servedElsewhere(command: Command): Promise<boolean> {
    const owner = await this.registry.owner(command.deviceId);
    return owner !== undefined && owner.protocol === this.target.protocol && !mismatch(command, owner.protocol, owner.gateway);
  }

  /**
   * This instance took a device over: the commands for it that the previous owner was to deliver
   * and never answered (it died, or the device moved before it got to them) are delivered here,
   * once the previous owner, were it alive, would have answered: a grace after this instance read
   * them or took the device, whichever came later.
   */
  private takeOver(deviceId: string): void {
    const now = Date.now();
    const waiting = this.elsewhere.take(deviceId, now).map(({ command, readAt }) => ({ command, due: Math.max(readAt, now) + this.options.handoverGraceMs }));
    if (waiting.length === 0) return;
    this.takenOver.set(deviceId, [...(this.takenOver.get(deviceId) ?? []), ...waiting]);
    void this.inOrder(deviceId, () => this.deliverTakenOver(deviceId)).catch((err: unknown) =>
      this.logger.error({ err, deviceId }, 'a taken-over command could not be delivered or reported'),
    );
  }

  /** Delivers the device's taken-over commands still unanswered, each once its grace has passed; run in the device's order. */
  private async deliverTakenOver(deviceId: string): Promise<void> {
    const waiting = this.takenOver.get(deviceId);
    if (!waiting) return;
    this.takenOver.delete(deviceId);
    for (const [i, { command, due }] of waiting.entries()) {
      try {
        if (due > Date.now()) await sleep(due - Date.now(), undefined, { signal: this.stopping.signal });
      } catch {
        // Stopping: no delivery on an adapter about to stop; their previous gateway, or the next owner, may still.
        this.logger.warn({ deviceId, commands: waiting.length - i }, 'stopping: taken-over commands left undelivered');
        return;
      }
      if (await this.history.answered(command.deviceId, command.id)) continue;
      const device = await this.ownRecord(command);
      if (!device) continue;
      this.logger.info({ commandId: command.id, deviceId }, 'delivering a command its previous gateway did not answer');
      await this.deliverReporting(command, device);
    }
  }

  /** As deliver, but retries writing the result: the copy this was taken from is committed and will not come again. */
  private async deliverReporting(command: Command, device: DeviceRecord): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.deliver(command, device);
        return;
      } catch (err) {
        if (attempt >= REPORT_ATTEMPTS - 1 || this.stopping.signal.aborted) throw err;
        await sleep(1000 * 2 ** attempt);
      }
    }
  }

  /** Runs `work` after every delivery already queued for the device. */
  private inOrder(deviceId: string, work: () => Promise<void>): Promise<void> {
    const previous = this.queues.get(deviceId) ?? Promise.resolve();
    const next = previous.then(work);
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(deviceId, tail);
    void tail.then(() => {
      if (this.queues.get(deviceId) === tail) this.queues.delete(deviceId);
    });
    return next;
  }

  /** The device's record when this instance serves it and the command may go there. */
  private async ownRecord(command: Command): Promise<DeviceRecord | undefined> {
    const owner = await this.registry.owner(command.deviceId);
    // A record naming this instance itself predates its command group (an upgrade): still ours until rewritten.
    const ours = owner?.gateway === this.options.servedAs || owner?.gateway === this.options.instanceId;
    const servedHere = ours && owner?.protocol === this.target.protocol;
    return servedHere && owner && !mismatch(command, owner.protocol, owner.gateway) ? owner : undefined;
  }

  private async deliver(command: Command, device: DeviceRecord): Promise<void> {
    const key = `${command.deviceId}\u0000${command.id}`;
    if (await this.history.has(command.deviceId, command.id)) {
      this.logger.info({ commandId: command.id, deviceId: command.deviceId }, 'command already delivered under this id; not delivering the copy');
      this.metrics.commands.inc({ status: 'duplicate' });
      return;
    }
    const result = this.unreported.get(key) ?? (await this.attempt(command, device));
    if (result.status === 'delivered' || result.status === 'succeeded') this.unreported.set(key, result);
    // If this throws the batch comes again, and the copy writes the result instead of delivering again.
    await this.report(command, result);
    if (this.unreported.delete(key)) this.history.add(command.deviceId, command.id);
  }

  private async attempt(command: Command, device: DeviceRecord): Promise<Result> {
    if (command.expiresAt && Date.parse(command.expiresAt) <= Date.now()) return { status: 'expired', detail: 'expired before delivery' };
    const allowed = this.options.actionsByRoute.get(device.route);
    if (allowed && !allowed.includes(command.action)) {
      return { status: 'failed', code: CoreErrorCode.CommandActionNotAllowed, detail: `route "${device.route}" accepts the actions ${allowed.join(', ')}, not "${command.action}"; nothing was sent` };
    }
    const { deliverTimeoutMs } = this.options;
    // A device's next command never starts on top of one that may still be in progress.
    const previous = this.lingering.get(command.deviceId);
    if (previous && !(await settlesWithin(previous, deliverTimeoutMs))) {
      return { status: 'failed', code: CoreErrorCode.CommandNotDelivered, detail: 'not sent: the previous command to this device timed out and is still in progress' };
    }
    try {
      const delivery = this.target.deliver(command, device);
      const outcome = await withTimeout(delivery, deliverTimeoutMs, `no acknowledgement within ${deliverTimeoutMs} ms`).catch((error: unknown) => {
        this.linger(command.deviceId, delivery);
        throw error;
      });
      if (outcome.status === 'failed') return { status: 'failed', code: outcome.code, detail: outcome.message };
      if (outcome.status === 'succeeded') return { status: 'succeeded', ...(outcome.output !== undefined ? { output: outcome.output } : {}) };
      return { status: 'delivered' };
    } catch (error) {
      this.logger.warn({ err: error, commandId: command.id, deviceId: command.deviceId }, 'command delivery failed');
      return { status: 'failed', code: CoreErrorCode.CommandNotDelivered, detail: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Remembers a delivery that outlived its timeout until it settles. */
  private linger(deviceId: string, delivery: Promise<unknown>): void {
    const settled = delivery.then(
      () => undefined,
      () => undefined,
    );
    this.lingering.set(deviceId, settled);
    void settled.then(() => {
      if (this.lingering.get(deviceId) === settled) this.lingering.delete(deviceId);
    });
  }

  private async answerUnserved(record: ConsumedRecord): Promise<void> {
    const { command, error } = parse(record);
    if (!command) {
      await this.deadLetter(record, error);
      return;
    }
    const owner = await this.registry.owner(command.deviceId);
    if (!owner) {
      // A device the registry forgot (devices.maxDevices) gets this clear answer too, never silence.
      const forgotten = this.registry.forgets ? `, or none since it was among the devices seen least recently, which the registry forgets beyond devices.maxDevices (${this.registry.maxDevices})` : '';
      await this.report(command, { status: 'failed', code: CoreErrorCode.CommandUnknownDevice, detail: `no gateway serves device "${command.deviceId}": none has had a message from it${forgotten}` });
    } else if (mismatch(command, owner.protocol, owner.gateway)) {
      const wanted = [command.protocol, command.gateway].filter(Boolean).join(' gateway ');
      await this.report(command, {
        status: 'failed',
        code: CoreErrorCode.CommandWrongTarget,
        detail: `device "${command.deviceId}" is served by ${owner.protocol} gateway ${owner.gateway}, not by the ${wanted} the command names`,
      });
    }
  }

  private async deadLetter(record: ConsumedRecord, error: unknown): Promise<void> {
    await this.deadLetters.write(
      {
        route: COMMANDS_MAPPING,
        raw: record.value ?? Buffer.alloc(0),
        deviceId: record.key ?? undefined,
        ref: `${record.topic}/${record.partition}@${record.offset}`,
        receivedAt: new Date(),
      },
      error,
    );
    this.metrics.commands.inc({ status: 'invalid' });
  }

  private async report(command: Command, outcome: Result): Promise<void> {
    const result: CommandResult = {
      schemaVersion: SCHEMA_VERSION,
      id: command.id,
      deviceId: command.deviceId,
      status: outcome.status,
      time: new Date().toISOString(),
      gateway: this.options.instanceId,
      ...(outcome.code ? { code: outcome.code } : {}),
      ...(outcome.detail ? { detail: outcome.detail } : {}),
      ...(outcome.output !== undefined ? { output: outcome.output } : {}),
    };
    await this.kafka.producer.send({ topic: this.options.topics['command-results'], key: command.deviceId, value: JSON.stringify(result) });
    this.metrics.commands.inc({ status: outcome.status });
  }
}

/** True when the command names a protocol or gateway other than the given one. */
function mismatch(command: Command, protocol: Protocol, gateway: string): boolean {
  return (command.protocol !== undefined && command.protocol !== protocol) || (command.gateway !== undefined && command.gateway !== gateway);
}

/** The command, or why the record is not one; only the router dead-letters it, so it happens once. */
function parse(record: ConsumedRecord): { command: Command; error?: undefined } | { command?: undefined; error: unknown } {
  try {
    return { command: validateCommand.assert(parseJson(record.value ?? Buffer.alloc(0))) };
  } catch (error) {
    return { error };
  }
}

/** Whether the promise settles (either way) within ms. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  try {
    await withTimeout(promise.then(() => undefined, () => undefined), ms);
    return true;
  } catch {
    return false;
  }
}
