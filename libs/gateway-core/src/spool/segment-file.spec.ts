import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listSegments, readSegmentEntries, segmentName, truncateSegment } from './segment-file';
import { frame, type LogEntry } from './segment-frame';

describe(readSegmentEntries.name, () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'segment-file-'));
  });

  const sizesOf = (...frames: Buffer[]) => frames.map((f) => f.length);

  it('reads the entries the index names from an offset, with the write times the index holds', async () => {
    const [one, two, three] = [frame(Buffer.from('one'), 1), frame(Buffer.from('two'), 2), frame(Buffer.from('three'), 3)];
    const path = join(dir, segmentName(0));
    writeFileSync(path, Buffer.concat([one, two, three]));
    const entries: LogEntry[] = [];
    await readSegmentEntries(path, one.length, sizesOf(two, three), [20, 30], entries);
    expect(entries.map((e) => [e.payload.toString(), e.writtenAt, e.corrupt])).toEqual([
      ['two', 20, undefined],
      ['three', 30, undefined],
    ]);
  });

  it('reads a frame larger than its read chunk whole', async () => {
    const big = frame(Buffer.alloc(1024 * 1024 + 10, 7), 1);
    const after = frame(Buffer.from('after'), 2);
    const path = join(dir, segmentName(0));
    writeFileSync(path, Buffer.concat([after, big, after]));
    const entries: LogEntry[] = [];
    await readSegmentEntries(path, 0, sizesOf(after, big, after), [1, 2, 3], entries);
    expect(entries.map((e) => e.payload.length)).toEqual([5, 1024 * 1024 + 10, 5]);
    expect(entries.every((e) => e.corrupt === undefined)).toBe(true);
  });

  it('returns a frame whose checksum fails, or that the file no longer holds, as corrupt with its raw bytes', async () => {
    const [one, two, three] = [frame(Buffer.from('one'), 1), frame(Buffer.from('two'), 2), frame(Buffer.from('three'), 3)];
    const data = Buffer.concat([one, two, three]);
    data[one.length + two.length - 1] ^= 0x01;
    const path = join(dir, segmentName(0));
    writeFileSync(path, data.subarray(0, data.length - 2));
    const entries: LogEntry[] = [];
    await readSegmentEntries(path, 0, sizesOf(one, two, three), [1, 2, 3], entries);
    expect(entries.map((e) => e.corrupt)).toEqual([undefined, 'checksum mismatch', 'the segment file ends before this entry']);
    expect(entries[1]?.payload.equals(data.subarray(one.length, one.length + two.length))).toBe(true);
    expect(entries[2]?.payload.length).toBe(three.length);
  });

  it('lists segment files in numeric order and truncates one', async () => {
    for (const n of [10, 2, 1]) writeFileSync(join(dir, segmentName(n)), 'abcdef');
    writeFileSync(join(dir, 'read-position.json'), '{}');
    expect(await listSegments(dir)).toEqual([1, 2, 10]);
    await truncateSegment(join(dir, segmentName(2)), 3);
    expect(readFileSync(join(dir, segmentName(2)), 'utf8')).toBe('abc');
  });
});
