import { crc32 } from 'node:zlib';

/** One unread record of a SegmentLog. */
export interface LogEntry {
  /** The record, or the whole frame as read when it is corrupt. */
  payload: Buffer;
  writtenAt: number;
  /** Why the frame failed its checks on read (bad disk, a file changed behind the spool's back). */
  corrupt?: string;
}

/** Every frame is `[u32 length][u32 crc32][f64 writtenAt][payload]`. */
export const HEADER_BYTES = 16;

export function frame(payload: Buffer, writtenAt: number): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32LE(payload.length, 0);
  header.writeUInt32LE(crc32(payload), 4);
  header.writeDoubleLE(writtenAt, 8);
  return Buffer.concat([header, payload]);
}

/**
 * Walks the frames of a segment's bytes from `offset`, passing each one's writtenAt and size
 * (header included) to `onFrame`, and returns where the first bad or torn frame starts (or the
 * end). A frame whose checksum fails but whose length leads to a good frame is passed on too
 * (its bytes changed on disk; reading it returns it as corrupt), and the walk goes on.
 */
export function scanFrames(data: Buffer, offset: number, onFrame: (writtenAt: number, bytes: number) => void): number {
  while (offset + HEADER_BYTES <= data.length) {
    const end = frameEnd(data, offset);
    if (end === undefined) break;
    if (!checksumMatches(data, offset, end) && !goodFrameAt(data, end)) break;
    onFrame(data.readDoubleLE(offset + 8), end - offset);
    offset = end;
  }
  return offset;
}

/** Where the frame at `offset` ends, or undefined when the file ends first (torn). */
function frameEnd(data: Buffer, offset: number): number | undefined {
  if (offset + HEADER_BYTES > data.length) return undefined;
  const end = offset + HEADER_BYTES + data.readUInt32LE(offset);
  return end <= data.length ? end : undefined;
}

function goodFrameAt(data: Buffer, offset: number): boolean {
  const end = frameEnd(data, offset);
  return end !== undefined && checksumMatches(data, offset, end);
}

function checksumMatches(data: Buffer, offset: number, end: number): boolean {
  return crc32(data.subarray(offset + HEADER_BYTES, end)) === data.readUInt32LE(offset + 4);
}
