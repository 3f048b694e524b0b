import { type OutgoingRecord } from '@fieldlink/kafka';

/** A record as the spool stores it: topic, key and value. */
export interface SpooledRecord {
  t: string;
  k: string | null;
  v: string;
}

/** Envelopes carry unique ids, so topic and value identify a record. */
export const spoolKey = (topic: string, value: string): string => `${topic}\u0000${value}`;

export function encodeSpooled(record: OutgoingRecord): Buffer {
  return Buffer.from(JSON.stringify({ t: record.topic, k: record.key, v: record.value.toString() } satisfies SpooledRecord));
}

export function decodeSpooled(payload: Buffer): SpooledRecord {
  return JSON.parse(payload.toString('utf8')) as SpooledRecord;
}
