import { type IngestOutcome } from '@fieldlink/gateway-core';

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
      return { code: codeFor(outcome.code), diagnostic: `${outcome.code}: ${outcome.message}` };
  }
}

function codeFor(reason: string): string {
  if (reason === 'FL_DECODE_TOO_LARGE') return '4.13';
  if (reason === 'FL_DECODE_UNSUPPORTED_FORMAT') return '4.15';
  if (reason === 'FL_DECODE_INCOMPLETE') return '4.08';
  if (reason === 'FL_MAP_NO_ROUTE') return '4.04';
  if (reason.startsWith('FL_DECODE_') || reason.startsWith('FL_SCHEMA_') || reason.startsWith('FL_MAP_')) return '4.00';
  // Kafka refused the record for good (e.g. too large for the topic): nothing the device can fix by retrying.
  return '5.00';
}
