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

  it('reads entries from an offset up to the wanted number and returns where it stopped', async () => {
    const first = frame(Buffer.from('one'), 1);
    const data = Buffer.concat([first, frame(Buffer.from('two'), 2), frame(Buffer.from('three'), 3)]);
    const path = join(dir, segmentName(0));
    writeFileSync(path, data);
    const entries: LogEntry[] = [];
    const offset = await readSegmentEntries(path, first.length, data.length, 1, entries);
    expect(entries.map((e) => [e.payload.toString(), e.writtenAt])).toEqual([['two', 2]]);
    expect(await readSegmentEntries(path, offset, data.length, 10, entries)).toBe(data.length);
    expect(entries.map((e) => e.payload.toString())).toEqual(['two', 'three']);
  });

  it('reads a frame larger than its read chunk whole', async () => {
    const big = Buffer.alloc(1024 * 1024 + 10, 7);
    const data = Buffer.concat([frame(big, 1), frame(Buffer.from('after'), 2)]);
    const path = join(dir, segmentName(0));
    writeFileSync(path, data);
    const entries: LogEntry[] = [];
    expect(await readSegmentEntries(path, 0, data.length, 2, entries)).toBe(data.length);
    expect(entries[0]?.payload.equals(big)).toBe(true);
    expect(entries[1]?.payload.toString()).toBe('after');
  });

  it('lists segment files in numeric order and truncates one', async () => {
    for (const n of [10, 2, 1]) writeFileSync(join(dir, segmentName(n)), 'abcdef');
    writeFileSync(join(dir, 'read-position.json'), '{}');
    expect(await listSegments(dir)).toEqual([1, 2, 10]);
    await truncateSegment(join(dir, segmentName(2)), 3);
    expect(readFileSync(join(dir, segmentName(2)), 'utf8')).toBe('abc');
  });
});
