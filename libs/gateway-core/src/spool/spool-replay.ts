import { type OutgoingRecord } from '@fieldlink/kafka';
import { type LogEntry } from './segment-frame';
import { decodeSpooled, type SpooledRecord, spoolKey } from './spooled-record';

export interface ReplaySends {
  /** One per record handed to Kafka, in spool order. */
  sends: Promise<void>[];
  /** Keys of the records skipped because their producer copy reached Kafka after all. */
  landed: string[];
  /**
   * Entries that could not be read back (checksum, or not a spooled record), with their raw bytes,
   * why, and the send of the dead letter that stands for each (resolved at once without one).
   */
  corrupt: { raw: Buffer; reason: string; sent: Promise<void> }[];
  /** Entries written before `expiredBefore`, not sent. */
  expired: LogEntry[];
}

/**
 * Hands the records of a peeked batch to `send`, oldest first, except those written before
 * `expiredBefore` and those whose key is in `landedAfterMove`. A corrupt entry is passed to
 * `quarantine`, and the record it returns (a dead letter) is sent in its place: a bad entry
 * must not stop the replay of every entry behind it.
 */
export function sendSpooled(
  entries: LogEntry[],
  expiredBefore: number,
  landedAfterMove: ReadonlySet<string>,
  send: (record: OutgoingRecord) => Promise<void>,
  quarantine?: (raw: Buffer, reason: string) => OutgoingRecord,
): ReplaySends {
  const sends: Promise<void>[] = [];
  const landed: string[] = [];
  const corrupt: ReplaySends['corrupt'] = [];
  const expired: LogEntry[] = [];
  for (const entry of entries) {
    const spooled = entry.corrupt === undefined ? readSpooled(entry.payload) : entry.corrupt;
    // Checked first: a corrupt entry's write time cannot be trusted either.
    if (typeof spooled === 'string') {
      corrupt.push({ raw: entry.payload, reason: spooled, sent: quarantine ? send(quarantine(entry.payload, spooled)) : Promise.resolve() });
      continue;
    }
    if (entry.writtenAt < expiredBefore) {
      expired.push(entry);
      continue;
    }
    const key = spoolKey(spooled.t, spooled.v);
    if (landedAfterMove.has(key)) landed.push(key);
    else sends.push(send({ topic: spooled.t, key: spooled.k, value: spooled.v }));
  }
  return { sends, landed, corrupt, expired };
}

/** The spooled record, or why the payload is not one. */
function readSpooled(payload: Buffer): SpooledRecord | string {
  try {
    const record = decodeSpooled(payload);
    const valid = typeof record === 'object' && record !== null && typeof record.t === 'string' && typeof record.v === 'string' && (record.k === null || typeof record.k === 'string');
    return valid ? record : 'not a spooled record (topic, key and value)';
  } catch (error) {
    return `not a spooled record: ${error instanceof Error ? error.message : String(error)}`;
  }
}
