/** Minimal structured logger; pino satisfies it. */
export interface KafkaLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export type Compression = 'none' | 'gzip';

export interface KafkaSasl {
  mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  username: string;
  password: string;
}

export interface KafkaTls {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  rejectUnauthorized?: boolean;
}

export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  tls?: KafkaTls;
  sasl?: KafkaSasl;
  connectionTimeoutMs?: number;
  /** How long a request may go unanswered before its connection is closed and opened again (kafkajs default 30 s). */
  requestTimeoutMs?: number;
  producer?: ProducerOptions;
}

export interface ProducerOptions {
  compression?: Compression;
  /** Most records sent in one request; more wait for the next one. */
  maxBatchRecords?: number;
  /**
   * Most bytes (keys, values, headers) in one request. Below the broker's max.message.bytes
   * (1 MiB by default), which a single partition's batch must not exceed.
   */
  maxBatchBytes?: number;
  /** Longest wait between retries of a batch Kafka did not take. */
  maxBackoffMs?: number;
}

export const PRODUCER_DEFAULTS: Required<ProducerOptions> = {
  compression: 'none',
  maxBatchRecords: 5000,
  maxBatchBytes: 768 * 1024,
  maxBackoffMs: 5000,
};
