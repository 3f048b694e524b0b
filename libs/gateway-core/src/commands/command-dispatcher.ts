import { type ConsumedRecord, type KafkaService } from '@fieldlink/kafka';
import {
  type Command,
  type CommandResult,
  type CommandStatus,
  SCHEMA_VERSION,
  type TopicMap,
  parseJson,
  validateCommand,
} from '@fieldlink/schemas';
import { type IngestMetrics } from '../observability/ingest.metrics';
import { type Logger } from '@fieldlink/service';
import { type IngestPipeline } from '../ingest/ingest.pipeline';
import { type IngestRoute, type Protocol } from '../ingest/inbound-message';

/** What a gateway does with a command for one of its devices. */
export interface CommandTarget {
  readonly protocol: Protocol;
  /** Resolves once the protocol has taken the command (e.g. MQTT PUBACK). */
  deliver(command: Command): Promise<void>;
}

export interface CommandDispatcherOptions {
  topics: TopicMap;
  groupId: string;
  instanceId: string;
  deliverTimeoutMs: number;
}

const COMMANDS_ROUTE: IngestRoute = { name: 'commands', kind: 'telemetry', decoder: 'json' };

/**
 * Reads `commands`, hands each one addressed to this gateway's protocol to the
 * target, and writes the outcome to `command-results` under the command's id.
 * Commands with no protocol are taken by every gateway kind that sees them.
 */
export class CommandDispatcher {
  constructor(
    private readonly kafka: KafkaService,
    private readonly target: CommandTarget,
    private readonly pipeline: IngestPipeline,
    private readonly options: CommandDispatcherOptions,
    private readonly metrics: IngestMetrics,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const consumer = this.kafka.createConsumer({
      name: 'commands-consumer',
      groupId: this.options.groupId,
      topics: [this.options.topics.commands],
      handle: async (records) => {
        for (const record of records) await this.handle(record);
      },
    });
    await consumer.start();
  }

  private async handle(record: ConsumedRecord): Promise<void> {
    const command = await this.parse(record);
    if (!command) return;
    if (command.protocol && command.protocol !== this.target.protocol) return;
    if (command.expiresAt && Date.parse(command.expiresAt) <= Date.now()) {
      await this.report(command, 'expired', 'expired before delivery');
      return;
    }
    try {
      await withTimeout(this.target.deliver(command), this.options.deliverTimeoutMs);
      await this.report(command, 'delivered');
    } catch (error) {
      this.logger.warn({ err: error, commandId: command.id, deviceId: command.deviceId }, 'command delivery failed');
      await this.report(command, 'failed', error instanceof Error ? error.message : String(error));
    }
  }

  private async parse(record: ConsumedRecord): Promise<Command | undefined> {
    const payload = record.value ?? Buffer.alloc(0);
    try {
      return validateCommand.assert(parseJson(payload));
    } catch (error) {
      await this.pipeline.deadLetter(
        {
          route: COMMANDS_ROUTE,
          payload,
          deviceId: record.key ?? undefined,
          ref: `${record.topic}/${record.partition}@${record.offset}`,
          receivedAt: new Date(),
        },
        error,
      );
      this.metrics.commands.inc({ status: 'invalid' });
      return undefined;
    }
  }

  private async report(command: Command, status: CommandStatus, detail?: string): Promise<void> {
    const result: CommandResult = {
      schemaVersion: SCHEMA_VERSION,
      id: command.id,
      deviceId: command.deviceId,
      status,
      time: new Date().toISOString(),
      gateway: this.options.instanceId,
      ...(detail ? { detail } : {}),
    };
    await this.kafka.producer.send({
      topic: this.options.topics['command-results'],
      key: command.deviceId,
      value: JSON.stringify(result),
    });
    this.metrics.commands.inc({ status });
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no acknowledgement within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
