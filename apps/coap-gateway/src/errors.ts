import { GatewayError } from '@fieldlink/gateway-core';

/** Closed set of the CoAP gateway's own codes: dead-letter reasons, then command results. */
export const CoapErrorCode = {
  /** A body sent in Block1 blocks (RFC 7959) arrived with a block missing, out of order, or a malformed option. */
  PayloadIncomplete: 'FL_DECODE_INCOMPLETE',
  /** A Content-Format with no decoder (RFC 7252 §5.10.3). */
  UnsupportedFormat: 'FL_DECODE_UNSUPPORTED_FORMAT',
  /** A reading sent with another method than POST. */
  MethodNotAllowed: 'FL_METHOD_NOT_ALLOWED',
  /** The device is served here but does not observe its command resource now. */
  NotObserving: 'FL_COAP_NOT_OBSERVING',
  /** The gateway stopped while waiting for the notification's ACK; the device may have received it. */
  Shutdown: 'FL_COAP_SHUTDOWN',
  /** The device answered the notification with RST (RFC 7641 §3.6). */
  Reset: 'FL_COAP_RESET',
  /** No ACK after the RFC 7252 §4.2 retransmissions. */
  NoAck: 'FL_COAP_NO_ACK',
} as const;
export type CoapErrorCode = (typeof CoapErrorCode)[keyof typeof CoapErrorCode];

/** A request the gateway refuses for a CoAP reason; dead-lettered with its code. */
export class CoapError extends GatewayError {
  declare readonly code: CoapErrorCode;

  constructor(code: CoapErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, false, options);
    this.name = 'CoapError';
  }
}
