import { decodeFrames, frame, HEADER_BYTES, type LogEntry, scanFrames } from './segment-frame';

const frames = (...texts: string[]): Buffer => Buffer.concat(texts.map((t, i) => frame(Buffer.from(t), 1000 + i)));

describe(scanFrames.name, () => {
  it('reports every whole frame with its write time and size, and returns the end', () => {
    const data = frames('a', 'bb');
    const seen: [number, number][] = [];
    expect(scanFrames(data, 0, (writtenAt, bytes) => seen.push([writtenAt, bytes]))).toBe(data.length);
    expect(seen).toEqual([
      [1000, HEADER_BYTES + 1],
      [1001, HEADER_BYTES + 2],
    ]);
  });

  it('stops at a torn frame and at a frame whose checksum fails', () => {
    const whole = frames('a', 'bb');
    const torn = whole.subarray(0, whole.length - 1);
    expect(scanFrames(torn, 0, () => undefined)).toBe(HEADER_BYTES + 1);
    const flipped = Buffer.from(whole);
    flipped[flipped.length - 1] ^= 0xff;
    expect(scanFrames(flipped, 0, () => undefined)).toBe(HEADER_BYTES + 1);
  });
});

describe(decodeFrames.name, () => {
  it('decodes whole frames until it holds the wanted number, leaving a partial frame for the next read', () => {
    const data = frames('a', 'bb', 'ccc');
    const entries: LogEntry[] = [];
    expect(decodeFrames(data, 2, entries)).toBe(2 * HEADER_BYTES + 3);
    expect(entries.map((e) => [e.payload.toString(), e.writtenAt])).toEqual([
      ['a', 1000],
      ['bb', 1001],
    ]);
    const rest: LogEntry[] = [];
    expect(decodeFrames(data.subarray(0, data.length - 1), 10, rest)).toBe(2 * HEADER_BYTES + 3);
    expect(rest).toHaveLength(2);
  });
});
