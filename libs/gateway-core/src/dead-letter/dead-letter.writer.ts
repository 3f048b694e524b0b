import { randomUUID } from 'node:crypto';
import { type DeadLetter, MAX_DEVICE_ID_LENGTH, SCHEMA_VERSION, SchemaError, type Source, validateDeadLetter } from '@fieldlink/schemas';
import { KafkaError, type OutgoingRecord } from '@fieldlink/kafka';
import { type Logger } from '@fieldlink/service';
import { CoreErrorCode, GatewayError } from '../errors';
import { type Protocol } from '../ingest/inbound-message';
import { type IngestMetrics, UNROUTED } from '../observability/ingest.metrics';
import { type RecordSink } from '../spool/record-sink';

/** What is set aside: the raw message and where it came from. */
export interface DeadLetterSubject {
  /** The route it matched: the record's `source.mapping` and the metrics label; absent when none matched. */
  route?: string;
  deviceId?: string;
  /** Native reference: MQTT topic, CoAP path, OPC UA NodeId, DDS topic, or `<topic>/<partition>@<offset>` of a command. */
  ref: string;
  receivedAt: Date;
  /** The record's id; random when absent. */
  id?: string;
  /** The bytes as received, or what stands for them when the protocol gives none (a DDS sample as JSON). */
  raw: Buffer;
  /** The full length of the raw message when `raw` holds only its first bytes; default raw's length. */
  size?: number;
}

export interface DeadLetterWriterOptions {
  protocol: Protocol;
  instanceId: string;
  /** The dead-letter topic's full name. */
  topic: string;
  /** Raw bytes kept in a record (`ingest.deadLetterMaxBytes`); beyond this it is truncated and marked so. */
  maxBytes: number;
}

export interface DeadLettered {
  status: 'dead-lettered';
  code: string;
  message: string;
}

/**
 * Writes a message that cannot be forwarded, with the reason, to the dead-letter topic through the
 * same sink as telemetry (so it is spooled while Kafka is away), and counts it. The ingest
 * pipeline and the command dispatcher both write through it.
 */
export class DeadLetterWriter {
  constructor(
    private readonly sink: RecordSink,
    private readonly options: DeadLetterWriterOptions,
    private readonly metrics: IngestMetrics,
    private readonly logger: Logger,
  ) {}

  /**
   * Resolves once the sink holds the record, or it was refused for good and logged; rejects only
   * for a retryable Kafka failure, so the caller can have the message sent again, unless this is
   * the `last` chance (the source will not send it again): then that is logged and counted too.
   */
  async write(subject: DeadLetterSubject, error: unknown, { last = false } = {}): Promise<DeadLettered> {
    const mapping = subject.route ?? UNROUTED;
    const reason = reasonOf(error);
    if (reason.code === CoreErrorCode.Internal) this.logger.error({ err: error, ref: subject.ref }, 'unexpected ingest failure; dead-lettering');
    let letter: DeadLetter;
    try {
      letter = validateDeadLetter.assert(deadLetterOf(subject, reason, this.options));
    } catch (invalid) {
      // Never thrown at the caller: an ack held behind it (MQTT QoS 1) would stop the whole stream.
      this.metrics.deadLetterFailed.inc({ mapping });
      this.logger.error({ err: invalid, reason, ref: subject.ref, raw: subject.raw.subarray(0, this.options.maxBytes).toString('base64') }, 'dead-letter record not valid; not written');
      return { status: 'dead-lettered', ...reason };
    }
    try {
      await this.sink.send(this.recordOf(letter));
    } catch (sendError) {
      if (!last && sendError instanceof KafkaError && sendError.retryable) throw sendError;
      // The broker refused even the dead-letter record, the spool is full with overflow reject,
      // or Kafka is away with nowhere to keep it. Log the raw bytes so nothing vanishes unseen.
      this.metrics.deadLetterFailed.inc({ mapping });
      this.logger.error({ err: sendError, letter }, 'dead-letter record not written');
    }
    this.metrics.deadLettered.inc({ mapping, code: reason.code });
    return { status: 'dead-lettered', ...reason };
  }

  /**
   * The dead-letter record for `subject`, for a caller that sends and counts it itself: the
   * spool's replay, which must not write back into the spool it is draining.
   */
  letterFor(subject: DeadLetterSubject, error: unknown): OutgoingRecord {
    return this.recordOf(validateDeadLetter.assert(deadLetterOf(subject, reasonOf(error), this.options)));
  }

  private recordOf(letter: DeadLetter): OutgoingRecord {
    return { topic: this.options.topic, key: letter.deviceId ?? null, value: JSON.stringify(letter) };
  }
}

function reasonOf(error: unknown): { code: string; message: string } {
  const code = error instanceof SchemaError || error instanceof GatewayError || error instanceof KafkaError ? error.code : CoreErrorCode.Internal;
  return { code, message: error instanceof Error ? error.message : String(error) };
}

function deadLetterOf(subject: DeadLetterSubject, reason: { code: string; message: string }, options: DeadLetterWriterOptions): DeadLetter {
  const { raw } = subject;
  const kept = raw.subarray(0, options.maxBytes);
  const size = subject.size ?? raw.length;
  const source: Source = { protocol: options.protocol, gateway: options.instanceId, ref: subject.ref };
  const letter: DeadLetter = {
    schemaVersion: SCHEMA_VERSION,
    id: subject.id ? subject.id : randomUUID(),
    receiveTime: subject.receivedAt.toISOString(),
    source: subject.route !== undefined ? { ...source, mapping: subject.route } : source,
    reason,
    payload: { encoding: 'base64', size, data: kept.toString('base64') },
  };
  if (kept.length < size) letter.payload.truncated = true;
  // One too long for a record (a topic level of 300 characters) is left out; source.ref still names it.
  if (subject.deviceId && subject.deviceId.length <= MAX_DEVICE_ID_LENGTH) letter.deviceId = subject.deviceId;
  return letter;
}
