/** Closed set of error codes raised by @fieldlink/kafka. */
export const KafkaErrorCode = {
  /** The broker refused the record for good (too large, invalid, not authorised). */
  Rejected: 'FL_KAFKA_REJECTED',
  /** Kafka could not be reached before the producer was stopped. */
  Unavailable: 'FL_KAFKA_UNAVAILABLE',
  /** The producer is closed and takes no more records. */
  Closed: 'FL_KAFKA_CLOSED',
} as const;
export type KafkaErrorCode = (typeof KafkaErrorCode)[keyof typeof KafkaErrorCode];

export class KafkaError extends Error {
  constructor(
    readonly code: KafkaErrorCode,
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'KafkaError';
  }
}

// Broker answers that will not change however often the same record is retried.
const PERMANENT_TYPES = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TOPIC_EXCEPTION',
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'INVALID_REQUIRED_ACKS',
]);

// Broker answers meaning it no longer agrees with the idempotent producer on its sequence numbers.
const PRODUCER_STATE_TYPES = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'DUPLICATE_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH']);

/**
 * The protocol error type (e.g. MESSAGE_TOO_LARGE) when the chain holds a
 * permanent one. kafkajs wraps the broker's answer in retry errors, so walk `cause`.
 */
export function permanentErrorType(error: unknown): string | undefined {
  return errorTypeIn(error, PERMANENT_TYPES);
}

/** The protocol error type when the chain holds one that only a new producer id clears. */
export function producerStateErrorType(error: unknown): string | undefined {
  return errorTypeIn(error, PRODUCER_STATE_TYPES);
}

function errorTypeIn(error: unknown, types: Set<string>): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 8; depth++) {
    const type = (e as { type?: unknown }).type;
    if (typeof type === 'string' && types.has(type)) return type;
    e = (e as { cause?: unknown; originalError?: unknown }).cause ?? (e as { originalError?: unknown }).originalError;
  }
  return undefined;
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
