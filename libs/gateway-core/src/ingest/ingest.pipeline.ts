import { type Reading, type TopicMap, decodePayload, deviceIdFromBody, validateDeviceStatus, validateTelemetry } from '@fieldlink/schemas';
import { KafkaError, type OutgoingRecord } from '@fieldlink/kafka';
import { type RecordSink, type SinkState } from '../spool/record-sink';
import { type DeadLetterSubject, type DeadLetterWriter } from '../dead-letter/dead-letter.writer';
import { CoreError, CoreErrorCode } from '../errors';
import { type IngestMetrics, UNROUTED } from '../observability/ingest.metrics';
import { readingsAsBytes, toReading } from './decoded-reading';
import { type EnvelopeContext, buildDeviceStatus, buildStatusReport, buildTelemetry, partsOf } from './envelope.factory';
import { type EncodedMessage, type InboundMessage, type IngestOutcome, type StatusReport } from './inbound-message';

export interface IngestPipelineOptions extends EnvelopeContext {
  topics: TopicMap;
  maxPayloadBytes: number;
  /** With overflow `reject`, a full sink refuses messages instead of holding them. */
  rejectWhenFull?: boolean;
  /** What a rejected device is told to wait. */
  retryAfterMs?: number;
  /** Told of every device whose message was forwarded, e.g. the device registry. */
  onForwarded?: (deviceId: string, route: string, ref: string, at: Date) => void;
}

/**
 * route → decode → envelope → validate → produce. The returned promise resolves
 * only once Kafka (or the durable spool) holds the envelope or its dead-letter record; only then may
 * the adapter acknowledge the device. It rejects only for retryable Kafka
 * failures, and then the device must not be acknowledged.
 */
export class IngestPipeline {
  constructor(
    private readonly sink: RecordSink,
    private readonly options: IngestPipelineOptions,
    private readonly deadLetters: DeadLetterWriter,
    private readonly metrics: IngestMetrics,
  ) {}

  /** Whether new messages go straight to Kafka, to the spool, or nowhere yet: an adapter may slow its devices down. */
  get sinkState(): SinkState {
    return this.sink.state;
  }

  async ingest(message: InboundMessage): Promise<IngestOutcome> {
    const mapping = message.route?.name ?? UNROUTED;
    const metrics = this.metrics.of(mapping);
    metrics.received.inc();
    // Checked up front too, so a message of several readings is not half written when refused.
    if (this.options.rejectWhenFull && this.sink.state === 'full') return this.reject(mapping);
    const startedAt = performance.now();
    let records: OutgoingRecord[];
    let deviceId: string;
    try {
      ({ records, deviceId } = this.toRecords(message));
    } catch (error) {
      return this.deadLetter(message, error);
    }
    try {
      // Most messages make one record, which needs no Promise.all.
      await (records.length === 1 ? this.sink.send(records[0]) : Promise.all(records.map((r) => this.sink.send(r))));
    } catch (error) {
      if (error instanceof CoreError && error.code === CoreErrorCode.SinkFull) return this.reject(mapping);
      if (error instanceof KafkaError && !error.retryable) return this.deadLetter(message, error);
      throw error;
    }
    metrics.latency.observe((performance.now() - startedAt) / 1000);
    if (message.route) this.options.onForwarded?.(deviceId, message.route.name, message.ref, message.receivedAt);
    metrics.forwarded(records[0]?.topic ?? '').inc(records.length);
    return { status: 'forwarded', records: records.length, deviceId };
  }

  private toRecords(message: InboundMessage): { records: OutgoingRecord[]; deviceId: string } {
    if (!message.route) throw new CoreError(CoreErrorCode.MapNoRoute, `no route matches ${message.ref}`);
    const payloadSize = message.payloadSize ?? message.payload?.length ?? 0;
    if (payloadSize > this.options.maxPayloadBytes) {
      throw new CoreError(CoreErrorCode.PayloadTooLarge, `payload of ${payloadSize} bytes exceeds ingest.maxPayloadBytes (${this.options.maxPayloadBytes})`);
    }
    const deviceId = message.deviceId ?? (message.readings ? undefined : deviceIdInBody(message));
    if (!deviceId) throw new CoreError(CoreErrorCode.MapNoDevice, `route "${message.route.name}" found no deviceId in ${message.ref}`);
    let readings: Reading[];
    if (message.readings) {
      readings = message.readings.map(toReading);
    } else if (message.route.kind === 'status') {
      const status = validateDeviceStatus.assert(buildDeviceStatus(message, deviceId, this.options));
      return { records: [this.record('device-status', deviceId, status)], deviceId };
    } else {
      readings = decodePayload(message.route.decoder, message.payload, message.route.decodeOptions);
    }
    const parts = partsOf(message, this.options);
    const records = readings.map((reading, i) =>
      this.record('telemetry', deviceId, validateTelemetry.assert(buildTelemetry(message, deviceId, reading, this.options, i, parts))),
    );
    return { records, deviceId };
  }

  /**
   * Writes a device-status record the gateway itself observed (an OPC UA endpoint lost and back),
   * through the same sink as telemetry, so it is spooled while Kafka is away.
   */
  async reportStatus(report: StatusReport): Promise<IngestOutcome> {
    const status = validateDeviceStatus.assert(buildStatusReport(report, this.options));
    try {
      await this.sink.send(this.record('device-status', report.deviceId, status));
    } catch (error) {
      if (error instanceof CoreError && error.code === CoreErrorCode.SinkFull) return this.reject(report.route);
      throw error;
    }
    this.metrics.forwarded.inc({ mapping: report.route, topic: this.options.topics['device-status'] });
    return { status: 'forwarded', records: 1, deviceId: report.deviceId };
  }

  /**
   * The value as a string, which stays in V8's heap: its UTF-8 bytes are written once, straight
   * into the produce request. A Buffer per record would be memory outside the heap, whose growth
   * makes V8 run full collections more often (a tail on the gateway's latency).
   */
  private record(topic: 'telemetry' | 'device-status' | 'dead-letter', key: string | null, value: object): OutgoingRecord {
    return { topic: this.options.topics[topic], key, value: JSON.stringify(value) };
  }

  private reject(mapping: string): IngestOutcome {
    this.metrics.rejected.inc({ mapping });
    return { status: 'rejected', code: CoreErrorCode.SinkFull, message: 'spool full; retry later', retryAfterMs: this.options.retryAfterMs ?? 5000 };
  }

  /** Writes the raw message and the reason to the dead-letter topic and counts it; `last`: see DeadLetterWriter.write. */
  deadLetter(message: InboundMessage, error: unknown, options: { last?: boolean } = {}): Promise<IngestOutcome> {
    return this.deadLetters.write(deadLetterSubject(message), error, options);
  }

  /**
   * ingest, for a source that will not send the message again (an OPC UA data change): what the
   * sink could not take is dead-lettered, and what could not even be dead-lettered is logged
   * with its bytes and counted. Never only dropped.
   */
  async ingestOnce(message: InboundMessage): Promise<IngestOutcome> {
    try {
      const outcome = await this.ingest(message);
      return outcome.status === 'rejected' ? await this.deadLetter(message, fullSink(), { last: true }) : outcome;
    } catch (error) {
      return this.deadLetter(message, error, { last: true });
    }
  }

  /** reportStatus, for a report the gateway will not make again: as ingestOnce. */
  async reportStatusOnce(report: StatusReport): Promise<IngestOutcome> {
    const setAside = (error: unknown) => {
      const subject = { route: report.route, deviceId: report.deviceId, ref: report.ref, receivedAt: report.at, raw: Buffer.from(JSON.stringify(report)), ...(report.id ? { id: report.id } : {}) };
      return this.deadLetters.write(subject, error, { last: true });
    };
    try {
      const outcome = await this.reportStatus(report);
      return outcome.status === 'rejected' ? await setAside(fullSink()) : outcome;
    } catch (error) {
      return setAside(error);
    }
  }
}

const fullSink = () => new CoreError(CoreErrorCode.SinkFull, 'spool full (overflow: reject), and the source will not send this again');

/** The deviceId from the body, for a route with deviceIdField (json and cbor bodies). */
function deviceIdInBody(message: EncodedMessage): string | undefined {
  const field = message.route?.decodeOptions?.deviceIdField;
  const decoder = message.route?.decoder;
  if (!field || (decoder !== 'json' && decoder !== 'cbor')) return undefined;
  return deviceIdFromBody(decoder, message.payload, field);
}

function deadLetterSubject(message: InboundMessage): DeadLetterSubject {
  return {
    ...(message.route ? { route: message.route.name } : {}),
    deviceId: message.deviceId,
    ref: message.ref,
    receivedAt: message.receivedAt,
    ...(message.id ? { id: message.id } : {}),
    raw: typeof message.raw === 'function' ? message.raw() : (message.raw ?? (message.readings ? readingsAsBytes(message.readings) : message.payload)),
    ...(message.raw === undefined && message.payloadSize !== undefined ? { size: message.payloadSize } : {}),
  };
}
