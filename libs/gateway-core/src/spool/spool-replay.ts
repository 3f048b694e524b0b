import { type OutgoingRecord } from '@fieldlink/kafka';
import { type LogEntry } from './segment-frame';
import { decodeSpooled, spoolKey } from './spooled-record';

export interface ReplaySends {
  /** One per record handed to Kafka, in spool order. */
  sends: Promise<void>[];
  /** Keys of the records skipped because their producer copy reached Kafka after all. */
  landed: string[];
}

/**
 * Hands the records of a peeked batch to `send`, oldest first, except those written before
 * `expiredBefore` and those whose key is in `landedAfterMove`.
 */
export function sendSpooled(entries: LogEntry[], expiredBefore: number, landedAfterMove: ReadonlySet<string>, send: (record: OutgoingRecord) => Promise<void>): ReplaySends {
  const sends: Promise<void>[] = [];
  const landed: string[] = [];
  for (const entry of entries) {
    if (entry.writtenAt < expiredBefore) continue;
    const spooled = decodeSpooled(entry.payload);
    const key = spoolKey(spooled.t, spooled.v);
    if (landedAfterMove.has(key)) landed.push(key);
    else sends.push(send({ topic: spooled.t, key: spooled.k, value: spooled.v }));
  }
  return { sends, landed };
}
