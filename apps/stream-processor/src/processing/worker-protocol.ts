import { type ConsumedRecord, type OutgoingRecord } from '@fieldlink/kafka';
import { type TallySnapshot } from '@fieldlink/analytics';

/** One batch of one partition, with every record value packed into a single transferable buffer. */
export interface PackedBatch {
  topic: string;
  partition: number;
  /** Typed arrays, like `values`, are transferred rather than copied between threads. */
  offsets: Float64Array;
  keys: (string | null)[];
  timestamps: Float64Array;
  /** End of each value in `values`; a value of length 0 and a missing value both unpack as empty. */
  ends: Float64Array;
  values: ArrayBuffer;
}

export function transferables(batch: PackedBatch): ArrayBuffer[] {
  return [batch.values, batch.offsets.buffer as ArrayBuffer, batch.timestamps.buffer as ArrayBuffer, batch.ends.buffer as ArrayBuffer];
}

export type WorkerRequest =
  | { type: 'reset'; partition: number; nextOffset: number; replayUntil: number }
  | { type: 'drop'; partition: number }
  | { type: 'batch'; id: number; batch: PackedBatch }
  /** Wall-clock checks of one partition, such as silent devices. */
  | { type: 'tick'; id: number; partition: number; now: number };

export type WorkerReply =
  | { type: 'result'; id: number; outputs: OutgoingRecord[]; nextOffset: number; counts: TallySnapshot }
  | { type: 'error'; id: number; message: string };

export function pack(records: ConsumedRecord[]): PackedBatch {
  const first = records[0];
  // Our own ArrayBuffer (never Node's shared pool), so it can be transferred rather than copied.
  const values = new Uint8Array(records.reduce((n, r) => n + (r.value?.length ?? 0), 0));
  const offsets = new Float64Array(records.length);
  const timestamps = new Float64Array(records.length);
  const ends = new Float64Array(records.length);
  let end = 0;
  records.forEach((r, i) => {
    if (r.value) values.set(r.value, end);
    end += r.value?.length ?? 0;
    ends[i] = end;
    offsets[i] = Number(r.offset);
    timestamps[i] = r.timestamp;
  });
  return {
    topic: first?.topic ?? '',
    partition: first?.partition ?? 0,
    offsets,
    keys: records.map((r) => r.key),
    timestamps,
    ends,
    values: values.buffer,
  };
}

export function unpack(batch: PackedBatch): ConsumedRecord[] {
  const bytes = Buffer.from(batch.values);
  return Array.from(batch.offsets, (offset, i) => ({
    topic: batch.topic,
    partition: batch.partition,
    offset: String(offset),
    key: batch.keys[i] ?? null,
    value: bytes.subarray(i === 0 ? 0 : batch.ends[i - 1], batch.ends[i]),
    headers: {},
    timestamp: batch.timestamps[i] ?? 0,
  }));
}
