import { setTimeout as sleep } from 'node:timers/promises';
import { type IngestOutcome, type IngestPipeline, type InboundMessage } from '@fieldlink/gateway-core';
import { SchemaError, SchemaErrorCode } from '@fieldlink/schemas';
import { Backoff, InFlight } from '@fieldlink/resilience';
import { type Logger } from '@fieldlink/service';
import { type DdsConfig, type ReaderRoute } from '../config/dds-gateway.config';
import { type DdsMetrics } from '../dds.metrics';
import { deviceIdOfSample, mapSample } from '../mapping/sample-mapper';
import { type DdsSample } from '../session/dds-sample';
import { type DdsParticipant } from '../session/participant';
import { type InstanceLifecycle } from './instance-lifecycle';

const TAKE_RETRY_MS = 1000;
const HANDLE_RETRY_FIRST_MS = 200;
const HANDLE_RETRY_MAX_MS = 5000;

type Route = ReaderRoute;

/**
 * Reads the configured DDS readers into the pipeline. One loop takes from every reader in turn and hands each take to the pipeline as a whole. At
 * most `takesInFlight` takes wait for Kafka or the spool at once; past that the loop stops
 * taking (but for the one take a busy reader started ahead), so a slow Kafka slows the reliable
 * writers (KEEP_ALL flow control) instead of losing samples.
 */
export class ReaderLoop {
  private running = false;
  private readonly inFlight = new InFlight();
  /** Readers whose last take held samples. */
  private readonly busy = new Set<string>();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly dds: DdsConfig,
    private readonly routes: readonly Route[],
    private readonly participant: DdsParticipant,
    private readonly pipeline: IngestPipeline,
    private readonly lifecycle: InstanceLifecycle,
    private readonly metrics: DdsMetrics,
    private readonly logger: Logger,
  ) {}

  start(): Promise<void> {
    this.running = true;
    this.loop = this.run();
    this.logger.info({ participant: this.dds.participant, readers: this.dds.readers.map((r) => r.reader) }, 'reading DDS');
    return Promise.resolve();
  }

  isUp(): boolean {
    return this.running && !this.participant.readFailure;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const taken = await this.takeEach(true);
      if (taken === 0) await sleep(this.dds.idlePollMs);
    }
    // Collects the takes started ahead: a sample taken from DDS is never left unhandled.
    await this.takeEach(false);
    await this.inFlight.drain();
  }

  /**
   * One take from every reader. While `running`, a reader whose last take held samples starts its
   * next take ahead, on the take thread, while this one is mapped and written; an idle reader does
   * not, so a sample arriving while idle waits for one poll, not two.
   */
  private async takeEach(running: boolean): Promise<number> {
    let taken = 0;
    for (const route of this.routes) {
      const reader = route.config.reader;
      let samples: DdsSample[];
      try {
        samples = await this.participant.take(reader, route.config.deviceIdField, { sourceTime: route.config.eventTime === 'source', ahead: running && this.busy.has(reader) });
      } catch (err) {
        // A take that fails leaves its samples with DDS (a sample that fails once taken comes back
        // marked unreadable, and is dead-lettered): log, back off and take again rather than exit.
        this.logger.error({ err, reader }, 'DDS take failed');
        await sleep(TAKE_RETRY_MS);
        continue;
      }
      if (samples.length > 0) this.busy.add(reader);
      else this.busy.delete(reader);
      taken += samples.length;
      this.metrics.samples.inc({ reader: route.config.name }, samples.length);
      if (samples.length > 0) await this.dispatch(route, samples);
    }
    return taken;
  }

  /**
   * Starts writing a take and returns once fewer than `takesInFlight` are on their way, so the
   * next take overlaps Kafka's round trip; beyond that the loop waits and the writers slow down.
   */
  private async dispatch(route: Route, samples: DdsSample[]): Promise<void> {
    this.inFlight.track(this.handleUntilWritten(route, samples));
    await this.inFlight.waitBelow(this.dds.takesInFlight);
  }

  /**
   * DDS has already handed these samples over, so they must not be dropped: a write that throws
   * (Kafka unreachable with the spool disabled) is retried with backoff. Samples written before
   * the failure are written again with the same envelope ids, which consumers deduplicate.
   */
  private async handleUntilWritten(route: Route, samples: DdsSample[]): Promise<void> {
    const backoff = new Backoff({ initialMs: HANDLE_RETRY_FIRST_MS, maxMs: HANDLE_RETRY_MAX_MS });
    for (;;) {
      try {
        await this.handle(route, samples);
        return;
      } catch (err) {
        if (!this.running) {
          this.metrics.unwritten.inc({ reader: route.config.name }, samples.length);
          this.logger.error({ err, reader: route.config.reader, samples: samples.length }, 'stopping with DDS samples not written to Kafka; dead-lettering them');
          // Some may have been written before the failure; a copy in the dead letters is better than none.
          await Promise.all(samples.filter((sample) => sample.data).map((sample) => this.setAside(route, sample, err)));
          return;
        }
        const retryInMs = backoff.next();
        this.logger.warn({ err, reader: route.config.reader, samples: samples.length, retryInMs }, 'samples not written; retrying');
        await sleep(retryInMs);
      }
    }
  }

  /** A sample that will not be written: dead-lettered, or, if even that fails, logged with its bytes and counted. */
  private async setAside(route: Route, sample: DdsSample, error: unknown): Promise<void> {
    const message: InboundMessage = {
      route: route.ingest,
      deviceId: deviceIdOfSample(sample, route.config.deviceIdField),
      ref: route.config.topic,
      receivedAt: new Date(),
      raw: Buffer.from(JSON.stringify(sample.data)),
      readings: [],
    };
    await this.pipeline.deadLetter(message, error, { last: true });
  }

  private async handle(route: Route, samples: DdsSample[]): Promise<void> {
    const receivedAt = new Date();
    const outcomes: Promise<IngestOutcome>[] = [];
    for (const sample of samples) {
      if (sample.unreadable) {
        outcomes.push(this.deadLetterUnreadable(route, sample.unreadable, receivedAt));
        continue;
      }
      if (sample.data) outcomes.push(this.ingest(route, sample, receivedAt));
      const deviceId = deviceIdOfSample(sample, route.config.deviceIdField);
      const change = deviceId ? this.lifecycle.observe(route.config, deviceId, sample.instanceState, receivedAt) : undefined;
      if (change) outcomes.push(change);
    }
    await Promise.all(outcomes);
  }

  private deadLetterUnreadable(route: Route, unreadable: NonNullable<DdsSample['unreadable']>, receivedAt: Date): Promise<IngestOutcome> {
    const message: InboundMessage = { route: route.ingest, deviceId: undefined, ref: route.config.topic, receivedAt, raw: Buffer.from(unreadable.raw), readings: [] };
    const code = unreadable.raw ? SchemaErrorCode.InvalidJson : SchemaErrorCode.UnsupportedValue;
    return this.pipeline.deadLetter(message, new SchemaError(code, unreadable.reason));
  }

  private ingest(route: Route, sample: DdsSample, receivedAt: Date): Promise<IngestOutcome> {
    const mapped = mapSample(route.config, sample);
    const base = {
      route: route.ingest,
      deviceId: mapped.deviceId,
      ref: route.config.topic,
      receivedAt,
      raw: () => Buffer.from(JSON.stringify(sample.data)),
      ...(mapped.id ? { id: mapped.id } : {}),
    };
    if (!mapped.ok) {
      const message: InboundMessage = { ...base, readings: [] };
      return this.pipeline.deadLetter(message, mapped.error);
    }
    return this.pipeline.ingest({ ...base, readings: mapped.readings });
  }
}
