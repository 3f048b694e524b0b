import { EntryIndex } from './entry-index';

describe('EntryIndex', () => {
  it('behaves like an array of entries through growth, wrap-around and shrinking', () => {
    const index = new EntryIndex();
    const reference: { writtenAt: number; bytes: number }[] = [];
    let next = 0;
    // Deterministic pseudo-random pushes and shifts, enough to grow past and shrink below 1024.
    let state = 7;
    const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let step = 0; step < 50_000; step++) {
      const pushing = step < 25_000 ? random() < 0.7 : random() < 0.3;
      if (pushing) {
        const entry = { writtenAt: 1.7e12 + next + 0.5, bytes: (next * 37) % 5000 };
        next++;
        index.push(entry.writtenAt, entry.bytes);
        reference.push(entry);
      } else if (reference.length > 0) {
        expect(index.shift()).toBe(reference.shift()?.bytes);
      }
      expect(index.length).toBe(reference.length);
    }
    reference.forEach((entry, i) => {
      expect(index.writtenAtOf(i)).toBe(entry.writtenAt);
      expect(index.bytesOf(i)).toBe(entry.bytes);
    });
  });

  it('refuses to shift when empty', () => {
    expect(() => new EntryIndex().shift()).toThrow('empty');
  });
});
