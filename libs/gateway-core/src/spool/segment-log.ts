import { mkdir, readdir, rm, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { EntryIndex } from './entry-index';
import { loadReadPosition, type Position, saveReadPosition } from './read-position';
import { listSegments, openSegment, readSegmentEntries, segmentName, syncDirectory, truncateSegment, writeFully } from './segment-file';
import { frame, type LogEntry, scanFrames } from './segment-frame';

export { type LogEntry } from './segment-frame';

export interface SegmentLogOptions {
  dir: string;
  segmentBytes: number;
}

/** How often a write held back by a full disk is tried again when nothing the log did freed space. */
const DISK_FULL_RETRY_MS = 1000;

const isDiskFull = (error: unknown): boolean => ['ENOSPC', 'EDQUOT'].includes((error as { code?: string }).code ?? '');

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
 *
 * The in-memory index is the truth about what was written: after a failed write or fdatasync
 * the file is cut back to the index's end before anything else is written, and a frame that
 * fails its checksum on read is returned as corrupt rather than decoded. A full disk is waited
 * out: the batch stays first in line, and is written once consuming entries freed a segment.
 */
export class SegmentLog {
  private writer: FileHandle | undefined;
  private writeSegment = 0;
  private writeOffset = 0;
  /** A write failed and the file may hold bytes past writeOffset. */
  private tailDirty = false;
  private read: Position = { segment: 0, offset: 0 };
  /** writtenAt and size of every unread entry, oldest first. */
  private readonly unread = new EntryIndex();
  private unreadBytes = 0;
  private queued: { frames: Buffer[]; writtenAt: number; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private writing: Promise<void> | undefined;
  /** Bytes of each segment that is no longer written to. */
  private readonly sizes = new Map<number, number>();
  private savingPosition: Promise<void> = Promise.resolve();
  private wakeWriter: (() => void) | undefined;
  private closed = false;
  /** Frames lost to corruption when the log was opened. */
  corruptOnOpen = 0;
  /** The last write failed for lack of space; it is retried once space is freed. */
  diskFull = false;

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

  get segmentBytes(): number {
    return this.options.segmentBytes;
  }

  get oldestWrittenAt(): number | undefined {
    return this.unread.length > 0 ? this.unread.writtenAtOf(0) : undefined;
  }

  /**
   * Resolves once the payloads are on disk. Appends that arrive while a write is in flight are
   * written together with one fdatasync (group commit), so many devices share each disk flush.
   */
  append(payloads: Buffer[], now = Date.now()): Promise<void> {
    if (this.closed) return Promise.reject(new Error('spool closed'));
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
    const data = Buffer.concat(batch.flatMap((b) => b.frames));
    for (;;) {
      try {
        await this.writeAtEnd(data);
        this.diskFull = false;
        break;
      } catch (error) {
        if (!isDiskFull(error) || this.closed) {
          // The disk may still be full, but nothing waits on it now: the next write finds out.
          this.diskFull = false;
          batch.forEach((b) => b.reject(error));
          return;
        }
        this.diskFull = true;
        await new Promise<void>((wake) => {
          const timer = setTimeout(wake, DISK_FULL_RETRY_MS);
          this.wakeWriter = () => {
            clearTimeout(timer);
            wake();
          };
        });
      }
    }
    for (const b of batch) {
      for (const f of b.frames) {
        this.unread.push(b.writtenAt, f.length);
        this.unreadBytes += f.length;
      }
      b.resolve();
    }
  }

  private async writeAtEnd(data: Buffer): Promise<void> {
    if (this.tailDirty) await this.cutTail();
    if (this.writer && this.writeOffset > 0 && this.allRead()) await this.startOver();
    if (!this.writer || (this.writeOffset > 0 && this.writeOffset + data.length > this.options.segmentBytes)) await this.rotate();
    const writer = this.writer as FileHandle;
    try {
      await writeFully(writer, data, this.writeOffset);
      await writer.datasync();
    } catch (error) {
      // A short write, ENOSPC or EIO can leave part of the batch in the file (and a failed
      // fdatasync may have lost pages): cut back to what the index knows.
      this.tailDirty = true;
      await this.cutTail().catch(() => undefined);
      throw error;
    }
    this.writeOffset += data.length;
  }

  private async cutTail(): Promise<void> {
    // Made durable too: after a crash, a batch its callers were told had failed must not come back.
    await this.writer?.truncate(this.writeOffset);
    await this.writer?.datasync();
    this.tailDirty = false;
  }

  private allRead(): boolean {
    return this.unread.length === 0 && this.read.segment === this.writeSegment && this.read.offset >= this.writeOffset;
  }

  /** Everything written has been consumed: delete the segment (its space is needed) and begin the next. */
  private async startOver(): Promise<void> {
    const next = this.writeSegment + 1;
    await this.writer?.close();
    this.writer = undefined;
    this.writeSegment = next;
    this.writeOffset = 0;
    this.read = { segment: next, offset: 0 };
    await this.savePosition();
    await this.dropSegmentsBefore(next);
  }

  /** Up to `max` unread entries, oldest first, without consuming them; a corrupt one has `corrupt` set. */
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
      // The index, not the frames' own length fields, says where each entry ends.
      const sizes: number[] = [];
      const writtenAt: number[] = [];
      let end = offset;
      for (let i = entries.length; i < wanted && end < size; i++) {
        sizes.push(this.unread.bytesOf(i));
        writtenAt.push(this.unread.writtenAtOf(i));
        end += this.unread.bytesOf(i);
      }
      await readSegmentEntries(join(this.options.dir, segmentName(segment)), offset, sizes, writtenAt, entries);
      offset = end;
    }
    return entries;
  }

  /** How many of the oldest unread entries together take at least `bytes`. */
  oldestCovering(bytes: number): number {
    let count = 0;
    for (let freed = 0; freed < bytes && count < this.unread.length; count++) freed += this.unread.bytesOf(count);
    return count;
  }

  /** Consumes the `count` oldest entries, persists the new read position and deletes the segments it has left. */
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
    await this.savePosition();
    await this.dropSegmentsBefore(segment);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeWriter?.();
    while (this.writing) await this.writing;
    await this.savingPosition;
    await this.writer?.close();
    this.writer = undefined;
  }

  private sizeOf(segment: number): number {
    return segment === this.writeSegment && this.writer ? this.writeOffset : (this.sizes.get(segment) ?? 0);
  }

  /**
   * Saves the read position, one save at a time, the latest last. A save that fails (the disk
   * is full too) is not an error: losing it only replays entries Kafka already has, under their ids.
   */
  private savePosition(): Promise<void> {
    this.savingPosition = this.savingPosition.then(() => saveReadPosition(this.options.dir, { ...this.read }).catch(() => undefined));
    return this.savingPosition;
  }

  /** Opens the next segment before letting go of the current one, so a failure leaves the log as it was. */
  private async rotate(): Promise<void> {
    const next = this.writer ? this.writeSegment + 1 : Math.max(this.writeSegment, this.read.segment);
    const file = await openSegment(join(this.options.dir, segmentName(next)));
    let size: number;
    try {
      size = (await file.stat()).size;
      await syncDirectory(this.options.dir);
    } catch (error) {
      await file.close().catch(() => undefined);
      throw error;
    }
    if (this.writer) {
      this.sizes.set(this.writeSegment, this.writeOffset);
      await this.writer.close().catch(() => undefined);
    }
    this.writer = file;
    this.writeSegment = next;
    this.writeOffset = size;
  }

  private async dropSegmentsBefore(segment: number): Promise<void> {
    let dropped = false;
    for (const name of await readdir(this.options.dir)) {
      const n = Number.parseInt(name, 10);
      if (name.endsWith('.seg') && n < segment) {
        await rm(join(this.options.dir, name), { force: true });
        this.sizes.delete(n);
        dropped = true;
      }
    }
    if (dropped) this.wakeWriter?.();
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

  /**
   * Indexes one segment's unread frames. A frame that fails its checksum but is followed by good
   * ones (a bit flipped on disk) is indexed too, and replay sets it aside as corrupt; a bad frame
   * with nothing good after it ends the segment (the tail of the last one, a write cut by a
   * crash, is cut off).
   */
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
