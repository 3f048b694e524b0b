/** Closed set of error codes raised by @fieldlink/gateway-core. */
export const CoreErrorCode = {
  MapNoDevice: 'FL_MAP_NO_DEVICE',
  MapNoRoute: 'FL_MAP_NO_ROUTE',
  PayloadTooLarge: 'FL_DECODE_TOO_LARGE',
  CommandInvalid: 'FL_COMMAND_INVALID',
  CommandUnknownDevice: 'FL_COMMAND_UNKNOWN_DEVICE',
  CommandWrongTarget: 'FL_COMMAND_WRONG_TARGET',
  CommandNotDelivered: 'FL_COMMAND_NOT_DELIVERED',
  /** The command's action is not in its device's route's `actions` list. */
  CommandActionNotAllowed: 'FL_COMMAND_ACTION_NOT_ALLOWED',
  /** A CoAP Observe naming a device the registry has under another protocol (devices.claimFromOtherProtocols). */
  DeviceClaimRefused: 'FL_DEVICE_CLAIM_REFUSED',
  SinkFull: 'FL_SINK_FULL',
  /** A record the spool wrote could not be read back (bad disk, or the file changed behind its back). */
  SpoolCorrupt: 'FL_SPOOL_CORRUPT',
  /** A dead letter's reason when the error carried none of our codes: a bug, logged in full. */
  Internal: 'FL_INTERNAL',
} as const;
export type CoreErrorCode = (typeof CoreErrorCode)[keyof typeof CoreErrorCode];

/**
 * An error with a code from a gateway's closed list: a message dead-lettered with it carries the
 * code as its reason. Each gateway's own errors (e.g. CoAP's) extend it with their own list.
 */
export class GatewayError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GatewayError';
  }
}

export class CoreError extends GatewayError {
  declare readonly code: CoreErrorCode;

  constructor(code: CoreErrorCode, message: string, retryable = false, options?: { cause?: unknown }) {
    super(code, message, retryable, options);
    this.name = 'CoreError';
  }
}
