/** Closed set of error codes raised by @fieldlink/schemas. */
export const SchemaErrorCode = {
  /** The payload is not valid UTF-8 text, which a JSON decoder needs. */
  InvalidUtf8: 'FL_DECODE_INVALID_UTF8',
  /** The payload is not JSON. */
  InvalidJson: 'FL_DECODE_INVALID_JSON',
  /** The payload is not CBOR (RFC 8949). */
  InvalidCbor: 'FL_DECODE_INVALID_CBOR',
  /** The JSON or CBOR payload (or the route's valuesField in it) is not an object of metrics. */
  NotAnObject: 'FL_DECODE_NOT_AN_OBJECT',
  /** The payload holds no metric value (an empty object, SenML pack or text). */
  NoMetrics: 'FL_DECODE_NO_METRICS',
  /** A value a metric cannot carry (e.g. a CBOR map key that is not text), or a decoder failed unexpectedly. */
  UnsupportedValue: 'FL_DECODE_UNSUPPORTED_VALUE',
  /** The route's timestampField holds no time the route's timestampUnit can read. */
  BadTimestamp: 'FL_DECODE_BAD_TIMESTAMP',
  /** A SenML pack (RFC 8428) that breaks its rules: not an array, a record that is not a map, an unknown label. */
  BadSenml: 'FL_DECODE_BAD_SENML',
  /** A payload the number decoder reads is not a plain number. */
  NotANumber: 'FL_DECODE_NOT_A_NUMBER',
  /** The payload is larger than ingest.maxPayloadBytes. */
  TooLarge: 'FL_DECODE_TOO_LARGE',
  /** The envelope built from the message breaks its schema (for instance a value or label out of bounds). */
  InvalidEnvelope: 'FL_SCHEMA_INVALID_ENVELOPE',
} as const;
export type SchemaErrorCode = (typeof SchemaErrorCode)[keyof typeof SchemaErrorCode];

/** A payload or envelope that cannot be accepted. Never retryable: the same bytes fail again. */
export class SchemaError extends Error {
  readonly retryable = false;
  constructor(
    readonly code: SchemaErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SchemaError';
  }
}
