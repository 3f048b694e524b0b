import { ReadingCache } from './reading-cache';

const reading = (bytes: number) => ({ payload: Buffer.alloc(bytes, 'x'), format: 50 });

describe(ReadingCache.name, () => {
  it('keeps at most maxDevices readings, evicting the least recently used and counting each', () => {
    let evicted = 0;
    const cache = new ReadingCache({ maxDevices: 2, maxBytes: 1000 }, () => evicted++);
    cache.set('a', reading(10));
    cache.set('b', reading(10));
    cache.get('a');
    cache.set('c', reading(10));
    expect([cache.get('a') !== undefined, cache.get('b'), cache.get('c') !== undefined, cache.size, evicted]).toEqual([true, undefined, true, 2, 1]);
  });

  it('keeps at most maxBytes of payload, evicting as many as it takes; a newer reading replaces the older', () => {
    let evicted = 0;
    const cache = new ReadingCache({ maxDevices: 100, maxBytes: 100 }, () => evicted++);
    for (const id of ['a', 'b', 'c', 'd']) cache.set(id, reading(30));
    cache.set('d', reading(20));
    expect([cache.bytes, cache.size, evicted]).toEqual([80, 3, 1]);
    cache.set('e', reading(90));
    expect([cache.bytes, cache.size, evicted, cache.get('e')?.payload.length]).toEqual([90, 1, 4, 90]);
  });

  it('keeps no reading larger than maxBytes, and drops the device\'s older one', () => {
    const cache = new ReadingCache({ maxDevices: 10, maxBytes: 50 });
    cache.set('a', reading(10));
    cache.set('a', reading(60));
    expect([cache.get('a'), cache.bytes]).toEqual([undefined, 0]);
  });

  it('holds a payload that is a view into a larger buffer as an exact copy, so the larger one can go', () => {
    const cache = new ReadingCache({ maxDevices: 10, maxBytes: 1000 });
    const datagram = Buffer.alloc(8192, 'y');
    cache.set('a', { payload: datagram.subarray(100, 110), format: 50 });
    const kept = cache.get('a')?.payload;
    expect([kept?.toString(), kept?.buffer.byteLength]).toEqual(['yyyyyyyyyy', 10]);
  });
});
