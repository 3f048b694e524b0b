/** Closed set of error codes raised by @fieldlink/gateway-core. */
export const CoreErrorCode = {
  MapNoDevice: 'FL_MAP_NO_DEVICE',
  MapNoRoute: 'FL_MAP_NO_ROUTE',
  PayloadTooLarge: 'FL_DECODE_TOO_LARGE',
  /** A body sent in parts (CoAP Block1) arrived with a part missing or out of order. */
  PayloadIncomplete: 'FL_DECODE_INCOMPLETE',
  UnsupportedFormat: 'FL_DECODE_UNSUPPORTED_FORMAT',
  MethodNotAllowed: 'FL_METHOD_NOT_ALLOWED',
  CommandInvalid: 'FL_COMMAND_INVALID',
  CommandUnknownDevice: 'FL_COMMAND_UNKNOWN_DEVICE',
  CommandWrongTarget: 'FL_COMMAND_WRONG_TARGET',
  CommandNotDelivered: 'FL_COMMAND_NOT_DELIVERED',
  SinkFull: 'FL_SINK_FULL',
} as const;
export type CoreErrorCode = (typeof CoreErrorCode)[keyof typeof CoreErrorCode];

export class CoreError extends Error {
  constructor(
    readonly code: CoreErrorCode,
    message: string,
    readonly retryable = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CoreError';
  }
}
