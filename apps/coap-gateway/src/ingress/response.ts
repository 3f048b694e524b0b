import { type CoreErrorCode, type IngestOutcome } from '@fieldlink/gateway-core';
import { type KafkaErrorCode } from '@fieldlink/kafka';
import { type SchemaErrorCode } from '@fieldlink/schemas';
import { type CoapErrorCode } from '../errors';

export interface CoapReply {
  code: string;
  /** A diagnostic payload (RFC 7252 §5.5.2) for error codes. */
  diagnostic?: string;
  /** The payload of a 2.05 answer, with its Content-Format number. */
  payload?: Buffer | string;
  contentFormat?: number;
  maxAgeSeconds?: number;
  /** The Block1 option to echo (RFC 7959 §2.3): on 2.31 Continue and on the answer to the last block. */
  block1?: Buffer;
  /** The answer registers an observation: sent as the first notification, with Observe. */
  observe?: boolean;
}

/** How an ingest outcome is answered: 2.04 only once Kafka or the spool holds the record. */
export function replyFor(outcome: IngestOutcome): CoapReply {
  switch (outcome.status) {
    case 'forwarded':
      return { code: '2.04' };
    case 'rejected':
      return { code: '5.03', diagnostic: outcome.message, maxAgeSeconds: Math.ceil(outcome.retryAfterMs / 1000) };
    case 'dead-lettered':
      return { code: responseCodeFor(outcome.code), diagnostic: `${outcome.code}: ${outcome.message}` };
  }
}

/** Every code a dead letter can carry, from each closed list; a code added to one must be answered here. */
type KnownCode = SchemaErrorCode | CoreErrorCode | KafkaErrorCode | CoapErrorCode;

/** Not fixable by the device retrying (e.g. Kafka refused the record for good): RFC 7252 §5.9.3.1. */
const SERVER_ERROR = '5.00';

/**
 * The response code a dead-letter reason is answered with. What the device got wrong is 4.xx:
 * 4.00 for a body that does not decode or map (RFC 7252 §5.9.2.1), the specific codes below where
 * CoAP has one. Codes that are never a dead letter's reason for a device's request (command
 * results; FL_SINK_FULL, a `rejected` outcome answered 5.03; FL_SPOOL_CORRUPT, found on replay) are listed too, so that the table is complete; they, and a
 * code outside these lists, get 5.00.
 */
const RESPONSE_CODES: Record<KnownCode, string> = {
  FL_DECODE_INVALID_UTF8: '4.00',
  FL_DECODE_INVALID_JSON: '4.00',
  FL_DECODE_INVALID_CBOR: '4.00',
  FL_DECODE_NOT_AN_OBJECT: '4.00',
  FL_DECODE_NO_METRICS: '4.00',
  FL_DECODE_UNSUPPORTED_VALUE: '4.00',
  FL_DECODE_BAD_TIMESTAMP: '4.00',
  FL_DECODE_BAD_SENML: '4.00',
  FL_DECODE_NOT_A_NUMBER: '4.00',
  FL_SCHEMA_INVALID_ENVELOPE: '4.00',
  FL_MAP_NO_DEVICE: '4.00',
  FL_MAP_NO_ROUTE: '4.04',
  FL_METHOD_NOT_ALLOWED: '4.05',
  FL_DECODE_INCOMPLETE: '4.08',
  FL_DECODE_TOO_LARGE: '4.13',
  FL_DECODE_UNSUPPORTED_FORMAT: '4.15',
  FL_KAFKA_REJECTED: SERVER_ERROR,
  FL_KAFKA_UNAVAILABLE: SERVER_ERROR,
  FL_KAFKA_CLOSED: SERVER_ERROR,
  FL_INTERNAL: SERVER_ERROR,
  FL_SINK_FULL: SERVER_ERROR,
  FL_SPOOL_CORRUPT: SERVER_ERROR,
  FL_COMMAND_INVALID: SERVER_ERROR,
  FL_COMMAND_UNKNOWN_DEVICE: SERVER_ERROR,
  FL_COMMAND_WRONG_TARGET: SERVER_ERROR,
  FL_COMMAND_NOT_DELIVERED: SERVER_ERROR,
  FL_COMMAND_ACTION_NOT_ALLOWED: SERVER_ERROR,
  FL_DEVICE_CLAIM_REFUSED: '4.03',
  FL_COAP_NOT_OBSERVING: SERVER_ERROR,
  FL_COAP_SHUTDOWN: SERVER_ERROR,
  FL_COAP_RESET: SERVER_ERROR,
  FL_COAP_NO_ACK: SERVER_ERROR,
};

/** The CoAP response code for a dead-letter reason code; 5.00 for a code in none of the lists. */
export function responseCodeFor(reason: string): string {
  return Object.hasOwn(RESPONSE_CODES, reason) ? RESPONSE_CODES[reason as KnownCode] : SERVER_ERROR;
}
