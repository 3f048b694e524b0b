import { mkdir, open, readdir, rm, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { EntryIndex } from './entry-index';
import { loadReadPosition, type Position, saveReadPosition } from './read-position';
import { listSegments, readSegmentEntries, segmentName, truncateSegment } from './segment-file';
import { frame, type LogEntry, scanFrames } from './segment-frame';

export { type LogEntry } from './segment-frame';

export interface SegmentLogOptions {
  dir: string;
  segmentBytes: number;
}

/**
 * An append-only log of records in numbered segment files, with a persisted read position.
 *
 * Segment files rather than a storage library: the spool needs exactly append, fsync, read in
 * order and drop from the front. That is a few hundred lines we can reason about under
 * SIGKILL, where an embedded database (LevelDB, SQLite) adds native builds, compaction and
 * its own durability settings to get right. Every frame is
 * `[u32 length][u32 crc32][f64 writtenAt][payload]`; a torn frame at the tail (a write cut by
 * a crash) fails its length or checksum and is cut off on open. It was never fsynced, so
 * nobody was told it was safe.
 */
export class SegmentLog {
  private writer: FileHandle | undefined;
  private writeSegment = 0;
  private writeOffset = 0;
  private read: Position = { segment: 0, offset: 0 };
  /** writtenAt and size of every unread entry, oldest first. */
  private readonly unread = new EntryIndex();
  private unreadBytes = 0;
  private queued: { frames: Buffer[]; writtenAt: number; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private writing: Promise<void> | undefined;
  /** Bytes of each segment that is no longer written to. */
  private readonly sizes = new Map<number, number>();
  /** Frames lost to corruption when the log was opened. */
  corruptOnOpen = 0;

  private constructor(private readonly options: SegmentLogOptions) {}

  static async open(options: SegmentLogOptions): Promise<SegmentLog> {
    const log = new SegmentLog(options);
    await log.recover();
    return log;
  }

  get depth(): number {
    return this.unread.length;
  }

  get bytes(): number {
    return this.unreadBytes;
  }

  get oldestWrittenAt(): number | undefined {
    return this.unread.length > 0 ? this.unread.writtenAtOf(0) : undefined;
  }

  /**
   * Resolves once the payloads are on disk. Appends that arrive while a write is in flight are
   * written together with one fdatasync (group commit), so many devices share each disk flush.
   */
  append(payloads: Buffer[], now = Date.now()): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queued.push({ frames: payloads.map((p) => frame(p, now)), writtenAt: now, resolve, reject });
      this.kickWriter();
    });
  }

  private kickWriter(): void {
    if (this.writing || this.queued.length === 0) return;
    this.writing = this.writeQueued().finally(() => {
      this.writing = undefined;
      this.kickWriter();
    });
  }

  private async writeQueued(): Promise<void> {
    const batch = this.queued.splice(0);
    const frames = batch.flatMap((b) => b.frames);
    const data = Buffer.concat(frames);
    try {
      if (!this.writer || (this.writeOffset > 0 && this.writeOffset + data.length > this.options.segmentBytes)) await this.rotate();
      const writer = this.writer as FileHandle;
      await writer.write(data, 0, data.length, this.writeOffset);
      await writer.datasync();
      this.writeOffset += data.length;
    } catch (error) {
      batch.forEach((b) => b.reject(error));
      return;
    }
    for (const b of batch) {
      for (const f of b.frames) {
        this.unread.push(b.writtenAt, f.length);
        this.unreadBytes += f.length;
      }
      b.resolve();
    }
  }

  /** Up to `max` unread entries, oldest first, without consuming them. */
  async peek(max: number): Promise<LogEntry[]> {
    const entries: LogEntry[] = [];
    let { segment, offset } = this.read;
    const wanted = Math.min(max, this.depth);
    while (entries.length < wanted) {
      const size = this.sizeOf(segment);
      if (offset >= size) {
        if (segment >= this.writeSegment) break;
        segment++;
        offset = 0;
        continue;
      }
      offset = await readSegmentEntries(join(this.options.dir, segmentName(segment)), offset, size, wanted, entries);
    }
    return entries;
  }

  /** How many of the oldest unread entries together take at least `bytes`. */
  oldestCovering(bytes: number): number {
    let count = 0;
    for (let freed = 0; freed < bytes && count < this.unread.length; count++) freed += this.unread.bytesOf(count);
    return count;
  }

  /** Consumes the `count` oldest entries and persists the new read position. */
  async consume(count: number): Promise<void> {
    let { segment, offset } = this.read;
    for (let i = 0; i < count && this.depth > 0; i++) {
      const bytes = this.unread.shift();
      this.unreadBytes -= bytes;
      while (offset >= this.sizeOf(segment) && segment < this.writeSegment) {
        segment++;
        offset = 0;
      }
      offset += bytes;
    }
    this.read = { segment, offset };
    await saveReadPosition(this.options.dir, this.read);
    await this.dropSegmentsBefore(segment);
  }

  async close(): Promise<void> {
    await this.writing;
    await this.writer?.close();
    this.writer = undefined;
  }

  private sizeOf(segment: number): number {
    return segment === this.writeSegment && this.writer ? this.writeOffset : (this.sizes.get(segment) ?? 0);
  }

  private async rotate(): Promise<void> {
    if (this.writer) this.sizes.set(this.writeSegment, this.writeOffset);
    await this.writer?.close();
    this.writeSegment = this.writer ? this.writeSegment + 1 : Math.max(this.writeSegment, this.read.segment);
    this.writer = await open(join(this.options.dir, segmentName(this.writeSegment)), 'a+');
    this.writeOffset = (await this.writer.stat()).size;
  }

  private async dropSegmentsBefore(segment: number): Promise<void> {
    for (const name of await readdir(this.options.dir)) {
      const n = Number.parseInt(name, 10);
      if (name.endsWith('.seg') && n < segment) {
        await rm(join(this.options.dir, name), { force: true });
        this.sizes.delete(n);
      }
    }
  }

  private async recover(): Promise<void> {
    await mkdir(this.options.dir, { recursive: true });
    const saved = await loadReadPosition(this.options.dir);
    const segments = await listSegments(this.options.dir);
    this.read = saved ?? { segment: segments[0] ?? 0, offset: 0 };
    for (const segment of segments.filter((s) => s >= this.read.segment)) {
      await this.scan(segment, segment === segments[segments.length - 1]);
      this.writeSegment = segment;
    }
    this.writeSegment = Math.max(this.writeSegment, this.read.segment);
  }

  /** Indexes one segment's unread frames; a bad frame ends the segment (the tail of the last one is cut off). */
  private async scan(segment: number, last: boolean): Promise<void> {
    const path = join(this.options.dir, segmentName(segment));
    const data = await readFile(path);
    const offset = scanFrames(data, segment === this.read.segment ? this.read.offset : 0, (writtenAt, bytes) => {
      this.unread.push(writtenAt, bytes);
      this.unreadBytes += bytes;
    });
    this.sizes.set(segment, offset);
    if (offset < data.length) {
      if (last) {
        await truncateSegment(path, offset);
      } else {
        // Frames after a bad one in the middle of the log cannot be trusted; they are counted as lost.
        this.corruptOnOpen++;
      }
    }
  }
}
