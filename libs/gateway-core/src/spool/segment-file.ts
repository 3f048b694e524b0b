import { constants } from 'node:fs';
import { open, readdir, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { HEADER_BYTES, type LogEntry } from './segment-frame';

const READ_CHUNK_BYTES = 1024 * 1024;

export const segmentName = (n: number): string => `${String(n).padStart(10, '0')}.seg`;

/** The numbers of the segment files in `dir`, lowest first. */
export async function listSegments(dir: string): Promise<number[]> {
  return (await readdir(dir)).filter((n) => n.endsWith('.seg')).map((n) => Number.parseInt(n, 10)).sort((a, b) => a - b);
}

/**
 * Opens (or creates) a segment for positional writes. Not O_APPEND ('a'): Linux then ignores the
 * position, so after a failed write the file and the log's idea of its end would differ.
 */
export function openSegment(path: string): Promise<FileHandle> {
  return open(path, constants.O_RDWR | constants.O_CREAT, 0o644);
}

/** Writes all of `data` at `position`: a write cut short (the disk filled) is continued, and fails with the next one's error. */
export async function writeFully(file: FileHandle, data: Buffer, position: number): Promise<void> {
  for (let done = 0; done < data.length; ) {
    const { bytesWritten } = await file.write(data, done, data.length - done, position + done);
    if (bytesWritten === 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
    done += bytesWritten;
  }
}

/** Makes a file's creation, deletion or rename in `dir` durable: those live in the directory, not the file. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Reads the entries of the segment at `path` that start at `offset` and take `sizes` bytes each
 * (the log's index says so), checking each frame's length and checksum. A frame that fails is
 * returned with `corrupt` set and its raw bytes as the payload, so the reader can set it aside.
 */
export async function readSegmentEntries(path: string, offset: number, sizes: number[], writtenAt: number[], entries: LogEntry[]): Promise<void> {
  const file = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
    // Deleted behind the spool's back: its entries are set aside, not waited for.
    sizes.forEach((_, i) => entries.push({ payload: Buffer.alloc(0), writtenAt: writtenAt[i] ?? 0, corrupt: 'the segment file is missing' }));
    return undefined;
  });
  if (!file) return;
  try {
    for (let i = 0; i < sizes.length; ) {
      // Whole entries per read, up to READ_CHUNK_BYTES (or one larger entry).
      let end = i;
      let bytes = 0;
      do bytes += sizes[end++] ?? 0;
      while (end < sizes.length && bytes + (sizes[end] ?? 0) <= READ_CHUNK_BYTES);
      const chunk = Buffer.alloc(bytes);
      const { bytesRead } = await file.read(chunk, 0, bytes, offset);
      let at = 0;
      for (; i < end; i++) {
        const size = sizes[i] ?? 0;
        const frame = chunk.subarray(at, at + size);
        entries.push(decodeFrame(frame, at + size <= bytesRead, writtenAt[i] ?? 0));
        at += size;
      }
      offset += bytes;
    }
  } finally {
    await file.close();
  }
}

function decodeFrame(frame: Buffer, complete: boolean, writtenAt: number): LogEntry {
  if (!complete) return { payload: Buffer.from(frame), writtenAt, corrupt: 'the segment file ends before this entry' };
  const payload = frame.subarray(HEADER_BYTES);
  if (frame.readUInt32LE(0) !== payload.length) return { payload: Buffer.from(frame), writtenAt, corrupt: 'the frame length does not match the index' };
  if (crc32(payload) !== frame.readUInt32LE(4)) return { payload: Buffer.from(frame), writtenAt, corrupt: 'checksum mismatch' };
  return { payload: Buffer.from(payload), writtenAt };
}

/** Cuts the segment at `path` down to `length` bytes. */
export async function truncateSegment(path: string, length: number): Promise<void> {
  const file = await open(path, 'r+');
  try {
    await file.truncate(length);
  } finally {
    await file.close();
  }
}
