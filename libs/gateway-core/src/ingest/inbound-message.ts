import { type DecodeOptions, type DecoderName, type Source } from '@fieldlink/schemas';

/** How one configured mapping turns payloads into envelopes. */
export interface IngestRoute {
  /** Mapping name; labels the metrics. */
  name: string;
  kind: 'telemetry' | 'status';
  decoder: DecoderName;
  decodeOptions?: DecodeOptions;
}

/** One message as a protocol adapter hands it to the pipeline. */
export interface InboundMessage {
  route: IngestRoute;
  payload: Buffer;
  /** Undefined when the mapping could not find one; the message is then dead-lettered. */
  deviceId: string | undefined;
  /** Native reference: MQTT topic, CoAP path, OPC UA NodeId, DDS topic. */
  ref: string;
  labels?: Record<string, string>;
  receivedAt: Date;
  /**
   * The envelope id, when the adapter can derive one that the protocol's own redelivery of the
   * same message repeats (see stableId); random otherwise.
   */
  id?: string;
}

export type Protocol = Source['protocol'];

export type IngestOutcome = 'forwarded' | 'dead-lettered';
