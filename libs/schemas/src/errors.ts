/** Closed set of error codes raised by @fieldlink/schemas. */
export const SchemaErrorCode = {
  InvalidUtf8: 'FL_DECODE_INVALID_UTF8',
  InvalidJson: 'FL_DECODE_INVALID_JSON',
  InvalidCbor: 'FL_DECODE_INVALID_CBOR',
  NotAnObject: 'FL_DECODE_NOT_AN_OBJECT',
  NoMetrics: 'FL_DECODE_NO_METRICS',
  UnsupportedValue: 'FL_DECODE_UNSUPPORTED_VALUE',
  BadTimestamp: 'FL_DECODE_BAD_TIMESTAMP',
  BadSenml: 'FL_DECODE_BAD_SENML',
  NotANumber: 'FL_DECODE_NOT_A_NUMBER',
  TooLarge: 'FL_DECODE_TOO_LARGE',
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
