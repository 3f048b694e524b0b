import { type KafkaService } from '@fieldlink/kafka';
import { retryWithBackoff, withTimeout } from '@fieldlink/resilience';
import { TOPIC_NAMES, type TopicMap } from '@fieldlink/schemas';
import { type CommandDispatcher } from '../commands/command-dispatcher';
import { type DeviceRegistry } from '../devices/device-registry';
import { type CoreConfig } from '../config/core-config.schema';
import { type Logger, type ServiceRuntime, topicSpecs } from '@fieldlink/service';
import { type ProtocolAdapter } from './protocol-adapter';
import { type SpoolingSink } from '../spool/spooling-sink';

/** Starts a gateway in order, reports readiness, and drains it on shutdown. */
export class GatewayRuntime implements ServiceRuntime {
  private started = false;
  private stopping = false;

  constructor(
    private readonly kafka: KafkaService,
    private readonly adapter: ProtocolAdapter,
    private readonly dispatcher: CommandDispatcher,
    private readonly registry: DeviceRegistry,
    private readonly config: CoreConfig,
    private readonly topics: TopicMap,
    private readonly logger: Logger,
    private readonly spool?: SpoolingSink,
  ) {}

  /** Ensures topics (retrying while Kafka is away), then opens the protocol side and the command consumer. */
  async start(): Promise<void> {
    await this.retry('ensure Kafka topics', () => this.kafka.ensureTopics(topicSpecs(TOPIC_NAMES, this.topics, this.config.topics)));
    if (this.stopping) return;
    this.spool?.start();
    this.kafka.startWatchdog(this.config.kafka.watchdog, () => this.spool?.depth ?? 0);
    // Devices are served while the registry loads (after a SIGKILL its group waits out the dead
    // member's session); only command routing needs it.
    const registryLoaded = this.retry('load the device registry', () => this.registry.start());
    await this.adapter.start();
    await registryLoaded;
    await this.retry('start the command consumer', () => this.dispatcher.start());
    this.started = true;
    this.logger.info('gateway started');
  }

  async ready(): Promise<{ ready: boolean; checks: Record<string, boolean> }> {
    const checks = { started: this.started, protocol: this.adapter.isUp(), kafka: await this.kafka.isReady(), spoolNotFull: !this.spool?.full, spoolDiskHasRoom: !this.spool?.diskFull };
    return { ready: Object.values(checks).every(Boolean), checks };
  }

  /**
   * Stops taking commands first (one in hand is finished on a live adapter, so a restart fails
   * none), then ingress, so nothing new arrives, then flushes Kafka. Each stage is bounded by
   * shutdown.drainTimeoutMs: the process's hard exit comes after three of them (run-service).
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.logger.info('draining');
    await withTimeout(this.dispatcher.stop(), this.config.shutdown.drainTimeoutMs).catch((err: unknown) => this.logger.error({ err }, 'command consumers did not stop in time'));
    await this.adapter.stop().catch((err: unknown) => this.logger.error({ err }, 'protocol adapter stop failed'));
    // Kafka first: closing it fails the replay's pending sends, which then stay spooled for the next run.
    await this.kafka.close(this.config.shutdown.drainTimeoutMs);
    await this.spool?.stop();
    this.logger.info('stopped');
  }

  private async retry(what: string, action: () => Promise<void>): Promise<void> {
    await retryWithBackoff(action, {
      initialMs: 250,
      maxMs: 5000,
      stopped: () => this.stopping,
      onFailure: (err, retryInMs) => this.logger.warn({ err, retryInMs }, `could not ${what}; retrying`),
    });
  }
}
