import {
  type DecodeOptions,
  SchemaError,
  type TopicMap,
  decodePayload,
  validateDeadLetter,
  validateDeviceStatus,
  validateTelemetry,
} from '@fieldlink/schemas';
import { KafkaError, type OutgoingRecord } from '@fieldlink/kafka';
import { type RecordSink } from '../spool/spooling-sink';
import { CoreError, CoreErrorCode } from '../errors';
import { type Logger } from '@fieldlink/service';
import { type IngestMetrics } from '../observability/ingest.metrics';
import { type EnvelopeContext, buildDeadLetter, buildDeviceStatus, buildTelemetry } from './envelope.factory';
import { type InboundMessage, type IngestOutcome } from './inbound-message';

export interface IngestPipelineOptions extends EnvelopeContext {
  topics: TopicMap;
  maxPayloadBytes: number;
  deadLetterMaxBytes: number;
}

/**
 * decode → map → envelope → validate → produce. The returned promise resolves
 * only once Kafka (or the durable spool) holds the envelope or its dead-letter record; only then may
 * the adapter acknowledge the device. It rejects only for retryable Kafka
 * failures, and then the device must not be acknowledged.
 */
export class IngestPipeline {
  constructor(
    private readonly sink: RecordSink,
    private readonly options: IngestPipelineOptions,
    private readonly metrics: IngestMetrics,
    private readonly logger: Logger,
  ) {}

  async ingest(message: InboundMessage): Promise<IngestOutcome> {
    const mapping = message.route.name;
    this.metrics.received.inc({ mapping });
    const stop = this.metrics.latency.startTimer({ mapping });
    let records: OutgoingRecord[];
    try {
      records = this.toRecords(message);
    } catch (error) {
      return this.deadLetter(message, error);
    }
    try {
      await Promise.all(records.map((r) => this.sink.send(r)));
    } catch (error) {
      if (error instanceof KafkaError && !error.retryable) return this.deadLetter(message, error);
      throw error;
    }
    stop();
    this.metrics.forwarded.inc({ mapping, topic: records[0]?.topic ?? '' }, records.length);
    return 'forwarded';
  }

  private toRecords(message: InboundMessage): OutgoingRecord[] {
    const { deviceId, payload, route } = message;
    if (payload.length > this.options.maxPayloadBytes) {
      throw new CoreError(
        CoreErrorCode.PayloadTooLarge,
        `payload of ${payload.length} bytes exceeds ingest.maxPayloadBytes (${this.options.maxPayloadBytes})`,
      );
    }
    if (!deviceId) throw new CoreError(CoreErrorCode.MapNoDevice, `mapping "${route.name}" found no deviceId in ${message.ref}`);
    if (route.kind === 'status') {
      const status = validateDeviceStatus.assert(buildDeviceStatus(message, deviceId, this.options));
      return [this.record('device-status', deviceId, status)];
    }
    const options: DecodeOptions | undefined = route.decodeOptions;
    return decodePayload(route.decoder, payload, options).map((reading) =>
      this.record('telemetry', deviceId, validateTelemetry.assert(buildTelemetry(message, deviceId, reading, this.options))),
    );
  }

  private record(topic: 'telemetry' | 'device-status' | 'dead-letter', key: string | null, value: object): OutgoingRecord {
    return { topic: this.options.topics[topic], key, value: JSON.stringify(value) };
  }

  /** Writes the raw message and the reason to the dead-letter topic and counts it. */
  async deadLetter(message: InboundMessage, error: unknown): Promise<IngestOutcome> {
    const mapping = message.route.name;
    const code = error instanceof SchemaError || error instanceof CoreError || error instanceof KafkaError ? error.code : 'FL_INTERNAL';
    const reason = { code, message: error instanceof Error ? error.message : String(error) };
    if (code === 'FL_INTERNAL') this.logger.error({ err: error, ref: message.ref }, 'unexpected ingest failure; dead-lettering');
    const letter = validateDeadLetter.assert(
      buildDeadLetter(message, reason, this.options, this.options.deadLetterMaxBytes),
    );
    try {
      await this.sink.send(this.record('dead-letter', message.deviceId ?? null, letter));
    } catch (sendError) {
      if (sendError instanceof KafkaError && sendError.retryable) throw sendError;
      // The broker refused even the dead-letter record. Log the raw bytes so nothing vanishes unseen.
      this.metrics.deadLetterFailed.inc({ mapping });
      this.logger.error({ err: sendError, letter }, 'dead-letter record refused by Kafka');
    }
    this.metrics.deadLettered.inc({ mapping, code });
    return 'dead-lettered';
  }
}
