/** Closed set of error codes raised by @fieldlink/gateway-core. */
export const CoreErrorCode = {
  /** The route matched, but neither the topic (or path) nor the payload gave a deviceId. */
  MapNoDevice: 'FL_MAP_NO_DEVICE',
  /** No route (MQTT mapping, CoAP route, DDS reader) matches the topic, path or DDS topic. */
  MapNoRoute: 'FL_MAP_NO_ROUTE',
  /** The payload is larger than ingest.maxPayloadBytes (CoAP answers 4.13). */
  PayloadTooLarge: 'FL_DECODE_TOO_LARGE',
  /** A command whose args do not fit its action (e.g. a Sparkplug write without args.metrics): a failed result. */
  CommandInvalid: 'FL_COMMAND_INVALID',
  /** No gateway has had a message from the command's device, or the registry forgot it (devices.maxDevices). */
  CommandUnknownDevice: 'FL_COMMAND_UNKNOWN_DEVICE',
  /** The command names a protocol or gateway other than the one serving its device. */
  CommandWrongTarget: 'FL_COMMAND_WRONG_TARGET',
  /** The publish, notification or write failed or timed out (commands.deliverTimeoutMs), or waits behind the device's previous command that timed out. */
  CommandNotDelivered: 'FL_COMMAND_NOT_DELIVERED',
  /** The command's action is not in its device's route's `actions` list. */
  CommandActionNotAllowed: 'FL_COMMAND_ACTION_NOT_ALLOWED',
  /** A CoAP Observe naming a device the registry has under another protocol (devices.claimFromOtherProtocols). */
  DeviceClaimRefused: 'FL_DEVICE_CLAIM_REFUSED',
  /** The spool is full and its overflow policy is reject: nothing was written, the device should retry (CoAP 5.03 with Max-Age). */
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
