import { setTimeout as sleep } from 'node:timers/promises';
import { Counter, type Registry } from 'prom-client';
import { type DecodedRoute, type DeliveryOutcome, type IngestOutcome, type IngestPipeline, type InboundMessage, type ProtocolAdapter } from '@fieldlink/gateway-core';
import { type Command } from '@fieldlink/schemas';
import { type Logger } from '@fieldlink/service';
import { type DdsConfig, type ReaderConfig } from '../config/dds-gateway.config';
import { type DdsParticipant } from '../dds/participant';
import { deliverCommand } from '../downlink/command-writer';
import { type DdsSample, deviceIdOfSample, mapSample } from '../mapping/sample-mapper';
import { InstanceLifecycle } from './instance-lifecycle';

const TAKE_RETRY_MS = 1000;
const HANDLE_RETRY_FIRST_MS = 200;
const HANDLE_RETRY_MAX_MS = 5000;

interface Route {
  config: ReaderConfig;
  ingest: DecodedRoute;
}

/**
 * Reads the configured DDS readers into the pipeline and writes commands to the command writer.
 * One loop takes from every reader in turn and hands each take to the pipeline as a whole. At
 * most `takesInFlight` takes wait for Kafka or the spool at once; past that the loop stops
 * taking, so a slow Kafka slows the reliable writers (KEEP_ALL flow control) instead of losing
 * samples.
 */
export class DdsAdapter implements ProtocolAdapter {
  readonly protocol = 'dds' as const;
  private readonly routes: Route[];
  private readonly lifecycle: InstanceLifecycle;
  private readonly samples: Counter<'reader'>;
  private readonly unwritten: Counter<'reader'>;
  private running = false;
  private readonly inFlight = new Set<Promise<void>>();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly dds: DdsConfig,
    private readonly participant: DdsParticipant,
    private readonly pipeline: IngestPipeline,
    private readonly logger: Logger,
    registry: Registry,
  ) {
    this.routes = dds.readers.map((config) => ({ config, ingest: { name: config.name } }));
    this.samples = new Counter({ name: 'fieldlink_dds_samples_total', help: 'Samples taken from each DDS reader, valid or not', labelNames: ['reader'], registers: [registry] });
    this.unwritten = new Counter({
      name: 'fieldlink_dds_samples_unwritten_total',
      help: 'Samples taken from DDS but not written when the gateway stopped (Kafka unreachable, spool off): lost',
      labelNames: ['reader'],
      registers: [registry],
    });
    this.lifecycle = new InstanceLifecycle(pipeline, registry);
  }

  start(): Promise<void> {
    this.running = true;
    this.loop = this.run();
    this.logger.info({ participant: this.dds.participant, readers: this.dds.readers.map((r) => r.reader) }, 'reading DDS');
    return Promise.resolve();
  }

  isUp(): boolean {
    return this.running;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.participant.close();
  }

  deliver(command: Command): Promise<DeliveryOutcome> {
    return deliverCommand(this.participant, this.dds.commands, command);
  }

  private async run(): Promise<void> {
    while (this.running) {
      let taken = 0;
      for (const route of this.routes) {
        let samples: DdsSample[];
        try {
          samples = await this.participant.exclusive(() => this.participant.take(route.config.reader, route.config.deviceIdField, { sourceTime: route.config.eventTime === 'source' }));
        } catch (err) {
          // A failed take leaves the samples with DDS: log, back off and take again rather than exit.
          this.logger.error({ err, reader: route.config.reader }, 'DDS take failed');
          await sleep(TAKE_RETRY_MS);
          continue;
        }
        taken += samples.length;
        this.samples.inc({ reader: route.config.name }, samples.length);
        if (samples.length > 0) await this.dispatch(route, samples);
      }
      if (taken === 0) await sleep(this.dds.idlePollMs);
    }
    await Promise.all(this.inFlight);
  }

  /**
   * Starts writing a take and returns once fewer than `takesInFlight` are on their way, so the
   * next take overlaps Kafka's round trip; beyond that the loop waits and the writers slow down.
   */
  private async dispatch(route: Route, samples: DdsSample[]): Promise<void> {
    const writing = this.handleUntilWritten(route, samples).finally(() => this.inFlight.delete(writing));
    this.inFlight.add(writing);
    while (this.inFlight.size >= this.dds.takesInFlight) await Promise.race(this.inFlight);
  }

  /**
   * DDS has already handed these samples over, so they must not be dropped: a write that throws
   * (Kafka unreachable with the spool disabled) is retried with backoff. Samples written before
   * the failure are written again with the same envelope ids, which consumers deduplicate.
   */
  private async handleUntilWritten(route: Route, samples: DdsSample[]): Promise<void> {
    for (let delayMs = HANDLE_RETRY_FIRST_MS; ; delayMs = Math.min(delayMs * 2, HANDLE_RETRY_MAX_MS)) {
      try {
        await this.handle(route, samples);
        return;
      } catch (err) {
        if (!this.running) {
          this.unwritten.inc({ reader: route.config.name }, samples.length);
          this.logger.error({ err, reader: route.config.reader, samples: samples.length }, 'stopping with DDS samples not written to Kafka');
          return;
        }
        this.logger.warn({ err, reader: route.config.reader, samples: samples.length, retryInMs: delayMs }, 'samples not written; retrying');
        await sleep(delayMs);
      }
    }
  }

  private async handle(route: Route, samples: DdsSample[]): Promise<void> {
    const receivedAt = new Date();
    const outcomes: Promise<IngestOutcome | void>[] = [];
    for (const sample of samples) {
      if (sample.data) outcomes.push(this.ingest(route, sample, receivedAt));
      const deviceId = deviceIdOfSample(sample, route.config.deviceIdField);
      if (deviceId) outcomes.push(this.lifecycle.observe(route.config, deviceId, sample.instanceState, receivedAt));
    }
    await Promise.all(outcomes);
  }

  private ingest(route: Route, sample: DdsSample, receivedAt: Date): Promise<IngestOutcome> {
    const mapped = mapSample(route.config, sample);
    const base = {
      route: route.ingest,
      deviceId: mapped.deviceId,
      ref: route.config.topic,
      receivedAt,
      raw: Buffer.from(JSON.stringify(sample.data)),
      ...(mapped.id ? { id: mapped.id } : {}),
    };
    if (!mapped.ok) {
      const message: InboundMessage = { ...base, readings: [] };
      return this.pipeline.deadLetter(message, mapped.error);
    }
    return this.pipeline.ingest({ ...base, readings: mapped.readings });
  }
}
