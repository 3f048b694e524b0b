import { frame, HEADER_BYTES, scanFrames } from './segment-frame';

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

  it('passes on a frame whose checksum fails when a good frame follows it (a bit flipped on disk), and goes on', () => {
    const data = frames('a', 'bb', 'ccc');
    data[HEADER_BYTES] ^= 0x01;
    const sizes: number[] = [];
    expect(scanFrames(data, 0, (_writtenAt, bytes) => sizes.push(bytes))).toBe(data.length);
    expect(sizes).toEqual([HEADER_BYTES + 1, HEADER_BYTES + 2, HEADER_BYTES + 3]);
  });

  it('stops at a torn frame and at a frame whose checksum fails with nothing good after it', () => {
    const whole = frames('a', 'bb');
    const torn = whole.subarray(0, whole.length - 1);
    expect(scanFrames(torn, 0, () => undefined)).toBe(HEADER_BYTES + 1);
    const flipped = Buffer.from(whole);
    flipped[flipped.length - 1] ^= 0xff;
    expect(scanFrames(flipped, 0, () => undefined)).toBe(HEADER_BYTES + 1);
  });
});
