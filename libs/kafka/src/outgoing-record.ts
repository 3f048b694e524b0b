import { type Message } from 'kafkajs';

export interface OutgoingRecord {
  topic: string;
  key: string | null;
  value: Buffer | string;
  headers?: Record<string, string>;
}

// Key, value and headers, plus a record's framing (length, attributes, deltas) in a record batch.
const RECORD_OVERHEAD_BYTES = 32;

/** About what the record takes in a record batch on the wire, before compression. */
export function recordBytes(record: OutgoingRecord): number {
  let bytes = RECORD_OVERHEAD_BYTES + Buffer.byteLength(record.value) + (record.key === null ? 0 : Buffer.byteLength(record.key));
  if (record.headers) for (const [name, value] of Object.entries(record.headers)) bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes;
}

/**
 * How many of the oldest records make the next batch: up to maxBatchRecords and maxBatchBytes.
 * The broker refuses a record batch over its max.message.bytes (1 MiB by default) for good, and
 * kafkajs sends one batch per partition without splitting it: a backlog of one device's small
 * readings once made a 5000-record batch of 1.5 MB (issue 10). A single record over the limit
 * still goes alone.
 */
export function batchLength(queue: readonly { record: OutgoingRecord }[], limits: { maxBatchRecords: number; maxBatchBytes: number }): number {
  let bytes = 0;
  let count = 0;
  for (const pending of queue) {
    if (count >= limits.maxBatchRecords) break;
    const size = recordBytes(pending.record);
    if (count > 0 && bytes + size > limits.maxBatchBytes) break;
    bytes += size;
    count++;
  }
  return count;
}

/** The batch's messages per topic, each topic's in batch order. */
export function messagesByTopic(batch: readonly { record: OutgoingRecord }[]): Map<string, Message[]> {
  const byTopic = new Map<string, Message[]>();
  for (const { record } of batch) {
    const messages = byTopic.get(record.topic) ?? [];
    messages.push({ key: record.key, value: record.value, headers: record.headers });
    byTopic.set(record.topic, messages);
  }
  return byTopic;
}
