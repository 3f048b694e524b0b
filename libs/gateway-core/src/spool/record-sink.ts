import { type OutgoingRecord } from '@fieldlink/kafka';

/**
 * Whether a sink takes records: straight to Kafka (`accepting`), to the durable spool while
 * Kafka is away or behind (`spooling`), or not at all until space frees up (`full`).
 */
export type SinkState = 'accepting' | 'spooling' | 'full';

/** Where the ingest pipeline hands records; resolves once they are safe (in Kafka or on disk). */
export interface RecordSink {
  send(record: OutgoingRecord): Promise<void>;
  readonly state: SinkState;
}
