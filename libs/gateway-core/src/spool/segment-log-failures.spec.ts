import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@fieldlink/testing';
import { SegmentLog } from './segment-log';

const payloads = (from: number, to: number): Buffer[] => Array.from({ length: to - from }, (_, i) => Buffer.from(`record-${from + i}`));
const texts = (entries: { payload: Buffer }[]): string[] => entries.map((e) => e.payload.toString());
const names = (from: number, to: number): string[] => payloads(from, to).map(String);
const segmentFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.seg'));
const onlySegment = (dir: string) => join(dir, segmentFiles(dir)[0]);
const diskError = (code: string) => Object.assign(new Error(`${code}: injected`), { code });

/** The one form of FileHandle.write the spool uses. */
type BufferWrite = (this: FileHandle, buffer: Buffer, offset: number, length: number, position: number) => Promise<{ bytesWritten: number; buffer: Buffer }>;

/**
 * The spool writes through node's FileHandle; these tests make its writes fail the way a full or
 * failing disk does, on the real files. `write` and `datasync` are replaced on the prototype.
 */
async function fileHandlePrototype(): Promise<FileHandle> {
  const probe = await open(__filename, 'r');
  await probe.close();
  return Object.getPrototypeOf(probe) as FileHandle;
}

describe(`${SegmentLog.name} when writes fail`, () => {
  let dir: string;
  let proto: FileHandle;
  let realWrite: BufferWrite;
  beforeAll(async () => {
    proto = await fileHandlePrototype();
    realWrite = proto.write;
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'spool-failures-'));
  });
  afterEach(() => jest.restoreAllMocks());

  /** Replaces FileHandle.write: `fault` decides per call what happens instead of a normal write. */
  function faultyWrites(fault: (call: number, handle: FileHandle, args: Parameters<BufferWrite>) => ReturnType<BufferWrite> | undefined) {
    let call = 0;
    const write: BufferWrite = function (...args) {
      return fault(call++, this, args) ?? realWrite.apply(this, args);
    };
    return jest.spyOn(proto, 'write').mockImplementation(write as unknown as FileHandle['write']);
  }

  it('continues a write the kernel cut short, instead of indexing bytes that were never written', async () => {
    const log = await SegmentLog.open({ dir, segmentBytes: 1 << 20 });
    await log.append(payloads(0, 2));
    faultyWrites((call, handle, args) => {
      if (call > 0) return undefined;
      const [buffer, offset, length, position] = args;
      return realWrite.call(handle, buffer, offset, Math.floor(length / 3), position);
    });
    await log.append(payloads(2, 6));
    jest.restoreAllMocks();
    await log.append(payloads(6, 7));
    expect(texts(await log.peek(10))).toEqual(names(0, 7));
    await log.close();
    const reopened = await SegmentLog.open({ dir, segmentBytes: 1 << 20 });
    expect(texts(await reopened.peek(10))).toEqual(names(0, 7));
    await reopened.close();
  });

  it('holds a batch that met a full disk (after a partial write) first in line, and writes it once there is room again', async () => {
    const log = await SegmentLog.open({ dir, segmentBytes: 1 << 20 });
    await log.append(payloads(0, 2));
    const sizeBefore = statSync(onlySegment(dir)).size;
    let full = true;
    faultyWrites((_call, handle, args) => {
      if (!full) return undefined;
      const [buffer, offset, length, position] = args;
      // What a filling disk does: the first part goes in, then ENOSPC.
      return realWrite.call(handle, buffer, offset, Math.min(length, 10), position).then(() => Promise.reject(diskError('ENOSPC')));
    });
    let settled: string | undefined;
    const blocked = log.append(payloads(2, 4)).then(
      () => (settled = 'written'),
      (error: Error) => (settled = error.message),
    );
    const later = log.append(payloads(4, 5));
    await waitFor('the log to report its disk full', () => log.diskFull, { timeoutMs: 5000, intervalMs: 10 });
    // Nothing past the last good entry stays in the file, and nobody was told the batch is safe.
    await waitFor('the partial write cut off', () => statSync(onlySegment(dir)).size === sizeBefore, { timeoutMs: 5000, intervalMs: 10 });
    expect(settled).toBeUndefined();
    expect(log.depth).toBe(2);
    full = false;
    await blocked;
    await later;
    expect(settled).toBe('written');
    expect(log.diskFull).toBe(false);
    expect(texts(await log.peek(10))).toEqual(names(0, 5));
    await log.close();
  });

  it('fails a batch whose fdatasync failed and cuts the file back, so the next batch is read where the index says', async () => {
    const log = await SegmentLog.open({ dir, segmentBytes: 1 << 20 });
    await log.append(payloads(0, 2));
    const sizeBefore = statSync(onlySegment(dir)).size;
    jest.spyOn(proto, 'datasync').mockRejectedValueOnce(diskError('EIO'));
    await expect(log.append(payloads(2, 4))).rejects.toThrow('EIO');
    expect(statSync(onlySegment(dir)).size).toBe(sizeBefore);
    await log.append(payloads(4, 5));
    expect(texts(await log.peek(10))).toEqual(['record-0', 'record-1', 'record-4']);
    await log.close();
    const reopened = await SegmentLog.open({ dir, segmentBytes: 1 << 20 });
    expect(texts(await reopened.peek(10))).toEqual(['record-0', 'record-1', 'record-4']);
    await reopened.close();
  });

  it('returns an entry whose bytes changed on disk as corrupt, with its raw bytes, and the entries around it intact', async () => {
    const log = await SegmentLog.open({ dir, segmentBytes: 1 << 20 });
    await log.append(payloads(0, 3));
    const path = onlySegment(dir);
    const data = readFileSync(path);
    const second = data.indexOf('record-1');
    data[second + 3] ^= 0x20;
    writeFileSync(path, data);
    const entries = await log.peek(10);
    expect(entries.map((e) => e.corrupt)).toEqual([undefined, 'checksum mismatch', undefined]);
    expect(texts([entries[0], entries[2]] as { payload: Buffer }[])).toEqual(['record-0', 'record-2']);
    expect(entries[1]?.payload.toString()).toContain('recOrd-1');
    await log.close();
  });

  it('keeps the entries after one whose bytes changed on disk when it is opened again, instead of cutting the segment there', async () => {
    const log = await SegmentLog.open({ dir, segmentBytes: 1 << 20 });
    await log.append(payloads(0, 4));
    await log.close();
    const path = onlySegment(dir);
    const data = readFileSync(path);
    data[data.indexOf('record-1') + 3] ^= 0x20;
    writeFileSync(path, data);
    const reopened = await SegmentLog.open({ dir, segmentBytes: 1 << 20 });
    const entries = await reopened.peek(10);
    expect(entries.map((e) => e.corrupt ?? e.payload.toString())).toEqual(['record-0', 'checksum mismatch', 'record-2', 'record-3']);
    await reopened.close();
  });

  it('does not stay full when the write it held back for a full disk then fails otherwise', async () => {
    const log = await SegmentLog.open({ dir, segmentBytes: 1 << 20 });
    let error = 'ENOSPC';
    jest.spyOn(proto, 'datasync').mockImplementation(() => Promise.reject(diskError(error)));
    const append = log.append(payloads(0, 1));
    await waitFor('the log to report its disk full', () => log.diskFull, { timeoutMs: 5000, intervalMs: 10 });
    error = 'EIO';
    await expect(append).rejects.toThrow('EIO');
    expect(log.diskFull).toBe(false);
    jest.restoreAllMocks();
    await log.append(payloads(1, 2));
    expect(texts(await log.peek(10))).toEqual(['record-1']);
    await log.close();
  });

  it('deletes a segment that has been read to its end when the next batch comes, so a drained spool gives its disk back', async () => {
    const log = await SegmentLog.open({ dir, segmentBytes: 1 << 20 });
    await log.append(payloads(0, 3));
    const first = segmentFiles(dir);
    await log.consume(3);
    await log.append(payloads(3, 4));
    expect(segmentFiles(dir)).toHaveLength(1);
    expect(segmentFiles(dir)).not.toEqual(first);
    expect(texts(await log.peek(10))).toEqual(['record-3']);
    await log.close();
    const reopened = await SegmentLog.open({ dir, segmentBytes: 1 << 20 });
    expect(texts(await reopened.peek(10))).toEqual(['record-3']);
    await reopened.close();
  });
});
