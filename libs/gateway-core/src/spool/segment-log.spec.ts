import { mkdtempSync, readdirSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SegmentLog } from './segment-log';

const payloads = (from: number, to: number): Buffer[] => Array.from({ length: to - from }, (_, i) => Buffer.from(`record-${from + i}`));
const texts = (entries: { payload: Buffer }[]): string[] => entries.map((e) => e.payload.toString());

describe(SegmentLog.name, () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'spool-'));
  });

  it('reads appended entries in order across segments and deletes the segments it has consumed', async () => {
    const log = await SegmentLog.open({ dir, segmentBytes: 200 });
    await Promise.all([log.append(payloads(0, 10)), log.append(payloads(10, 20))]);
    await log.append(payloads(20, 30));
    expect(log.depth).toBe(30);
    expect(readdirSync(dir).filter((f) => f.endsWith('.seg')).length).toBeGreaterThan(1);
    expect(texts(await log.peek(100))).toEqual(texts(payloads(0, 30).map((payload) => ({ payload }))));
    await log.consume(25);
    expect(texts(await log.peek(100))).toEqual(['record-25', 'record-26', 'record-27', 'record-28', 'record-29']);
    expect(readdirSync(dir).filter((f) => f.endsWith('.seg')).length).toBe(1);
    await log.close();
  });

  it('survives a reopen with the unread entries and their write times', async () => {
    const first = await SegmentLog.open({ dir, segmentBytes: 1 << 20 });
    await first.append(payloads(0, 5), 1000);
    await first.consume(2);
    await first.close();
    const again = await SegmentLog.open({ dir, segmentBytes: 1 << 20 });
    expect(again.depth).toBe(3);
    expect(again.oldestWrittenAt).toBe(1000);
    expect(texts(await again.peek(10))).toEqual(['record-2', 'record-3', 'record-4']);
    await again.append(payloads(5, 6));
    expect(texts(await again.peek(10))).toEqual(['record-2', 'record-3', 'record-4', 'record-5']);
    await again.close();
  });

  it('cuts off a torn frame at the tail, as a crash mid-write leaves it', async () => {
    const log = await SegmentLog.open({ dir, segmentBytes: 1 << 20 });
    await log.append(payloads(0, 3));
    await log.close();
    const segment = readdirSync(dir).find((f) => f.endsWith('.seg')) as string;
    appendFileSync(join(dir, segment), Buffer.from([0x40, 0, 0, 0, 1, 2, 3]));
    const reopened = await SegmentLog.open({ dir, segmentBytes: 1 << 20 });
    expect(reopened.depth).toBe(3);
    await reopened.append(payloads(3, 4));
    expect(texts(await reopened.peek(10))).toEqual(['record-0', 'record-1', 'record-2', 'record-3']);
    await reopened.close();
  });
});
