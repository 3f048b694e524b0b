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
 * (header included) to `onFrame`, and returns where the first bad or torn frame starts (or the end).
 */
export function scanFrames(data: Buffer, offset: number, onFrame: (writtenAt: number, bytes: number) => void): number {
  while (offset + HEADER_BYTES <= data.length) {
    const length = data.readUInt32LE(offset);
    const end = offset + HEADER_BYTES + length;
    if (end > data.length || crc32(data.subarray(offset + HEADER_BYTES, end)) !== data.readUInt32LE(offset + 4)) break;
    onFrame(data.readDoubleLE(offset + 8), HEADER_BYTES + length);
    offset = end;
  }
  return offset;
}
