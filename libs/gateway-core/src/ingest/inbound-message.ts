import { type DecodeOptions, type DecoderName, type Source } from '@fieldlink/schemas';
import { type DecodedReading } from './decoded-reading';

/** A route whose messages arrive as bytes (MQTT, CoAP): its decoder turns them into readings. */
export interface EncodedRoute {
  /** Route name; labels the metrics and the envelope source. */
  name: string;
  kind: 'telemetry' | 'status';
  decoder: DecoderName;
  decodeOptions?: DecodeOptions;
}

/** A route whose adapter decodes its messages itself (OPC UA endpoints, DDS readers); its readings are telemetry. */
export interface DecodedRoute {
  /** Route name; labels the metrics and the envelope source. */
  name: string;
}

interface InboundBase {
  /** Undefined when the route could not find one; the message is then dead-lettered. */
  deviceId: string | undefined;
  /** Native reference: MQTT topic, CoAP path, OPC UA NodeId, DDS topic. */
  ref: string;
  labels?: Record<string, string>;
  receivedAt: Date;
  /**
   * The envelope id, when the adapter can derive one that the protocol's own redelivery of the
   * same message repeats (see stableId); random otherwise. With several readings, reading i
   * after the first gets `<id>-<i>`.
   */
  id?: string;
  /**
   * An id from the content alone (the device's path or topic and the body), used instead of `id`
   * for a reading that carries its own event time: a device that sends it again as a new message
   * (a CoAP device whose retransmissions gave up) repeats it, so consumers drop the copy. A
   * reading without its own time keeps `id`: two equal bodies a minute apart are two readings.
   */
  contentId?: string;
  /**
   * What a dead letter carries as the raw message when there are no payload bytes: a DDS sample
   * as JSON, since the RTI Connector does not expose its CDR bytes, or an OPC UA value the
   * envelope cannot carry, as text. Default: the payload, or the readings as JSON. A function is
   * called only for a dead letter, so a message that is forwarded never pays for its bytes.
   */
  raw?: Buffer | (() => Buffer);
}

/** Bytes for the route's decoder (MQTT, CoAP). */
export interface EncodedMessage extends InboundBase {
  /** The matched route; absent when none matched, and the pipeline then dead-letters the message. */
  route?: EncodedRoute;
  payload: Buffer;
  /**
   * The payload's full length when the transport kept only its first bytes in `payload`, because
   * the whole was too large to hold (an MQTT PUBLISH of 200 MB). The size check uses it, and the
   * dead letter reports it as the size and marks its bytes truncated.
   */
  payloadSize?: number;
  readings?: undefined;
}

/** Readings the adapter decoded itself (OPC UA data changes, DDS samples). */
export interface DecodedMessage extends InboundBase {
  /** The matched route; absent when none matched, and the pipeline then dead-letters the message. */
  route?: DecodedRoute;
  readings: DecodedReading[];
  payload?: undefined;
  payloadSize?: undefined;
}

export type InboundMessage = EncodedMessage | DecodedMessage;

export type Protocol = Source['protocol'];

/** A state change the gateway observed for a device, e.g. its OPC UA server gone and back. */
export interface StatusReport {
  deviceId: string;
  /** Labels the metrics and the record's source mapping. */
  route: string;
  ref: string;
  status: string;
  detail?: Record<string, unknown>;
  at: Date;
  /** A stable id, so a report written again (e.g. after a restart) is dropped by consumers. */
  id?: string;
}

/**
 * What became of a message. `rejected`: nothing was written, because the sink is full and the
 * overflow policy is `reject`; the device should retry after `retryAfterMs` (CoAP 5.03 + Max-Age).
 * `dead-lettered` carries the reason code, so an adapter can answer in its protocol
 * (FL_DECODE_TOO_LARGE → CoAP 4.13, another FL_DECODE_* → 4.00).
 */
export type IngestOutcome =
  | { status: 'forwarded'; records: number; deviceId: string }
  | { status: 'dead-lettered'; code: string; message: string }
  | { status: 'rejected'; code: string; message: string; retryAfterMs: number };
