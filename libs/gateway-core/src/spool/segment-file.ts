import { open, readdir } from 'node:fs/promises';
import { decodeFrames, HEADER_BYTES, type LogEntry } from './segment-frame';

const READ_CHUNK_BYTES = 1024 * 1024;

export const segmentName = (n: number): string => `${String(n).padStart(10, '0')}.seg`;

/** The numbers of the segment files in `dir`, lowest first. */
export async function listSegments(dir: string): Promise<number[]> {
  return (await readdir(dir)).filter((n) => n.endsWith('.seg')).map((n) => Number.parseInt(n, 10)).sort((a, b) => a - b);
}

/**
 * Reads entries of the segment at `path` from `offset` up to `size` into `entries` until it
 * holds `wanted`, and returns the offset after the last one read.
 */
export async function readSegmentEntries(path: string, offset: number, size: number, wanted: number, entries: LogEntry[]): Promise<number> {
  const file = await open(path, 'r');
  try {
    while (entries.length < wanted && offset < size) {
      const chunk = Buffer.alloc(Math.min(READ_CHUNK_BYTES, size - offset));
      await file.read(chunk, 0, chunk.length, offset);
      let at = decodeFrames(chunk, wanted, entries);
      if (at === 0) {
        // One frame larger than the chunk: read it whole.
        const header = chunk.subarray(0, HEADER_BYTES);
        const payload = Buffer.alloc(header.readUInt32LE(0));
        await file.read(payload, 0, payload.length, offset + HEADER_BYTES);
        entries.push({ payload, writtenAt: header.readDoubleLE(8) });
        at = HEADER_BYTES + payload.length;
      }
      offset += at;
    }
  } finally {
    await file.close();
  }
  return offset;
}

/** Cuts the segment at `path` down to `length` bytes. */
export async function truncateSegment(path: string, length: number): Promise<void> {
  const file = await open(path, 'r+');
  await file.truncate(length);
  await file.close();
}
