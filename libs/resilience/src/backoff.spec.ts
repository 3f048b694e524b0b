import { Backoff } from './backoff';

function waits(backoff: Backoff, count: number): number[] {
  return Array.from({ length: count }, () => backoff.next());
}

describe(Backoff.name, () => {
  it('doubles from the initial wait up to the maximum without jitter', () => {
    expect(waits(new Backoff({ initialMs: 250, maxMs: 5000 }), 7)).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);
    expect(waits(new Backoff({ initialMs: 200, maxMs: 5000 }), 7)).toEqual([200, 400, 800, 1600, 3200, 5000, 5000]);
  });

  it('waits exactly min(max, initial · 2^failures), as the loops it replaced did', () => {
    for (const [initialMs, maxMs] of [[100, 5000], [500, 5000], [1000, 30_000], [100, 100], [300, 7777]] as const) {
      const backoff = new Backoff({ initialMs, maxMs });
      for (let failures = 0; failures < 40; failures++) expect(backoff.next()).toBe(Math.min(maxMs, initialMs * 2 ** failures));
    }
  });

  it('stays at the maximum through a long outage', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 5000 });
    const all = waits(backoff, 5000);
    expect(all.at(-1)).toBe(5000);
    expect(all.every(Number.isFinite)).toBe(true);
  });

  it('with upper-half jitter doubles the ceiling up to the maximum, waiting between half of it and all of it', () => {
    const low = new Backoff({ initialMs: 1000, maxMs: 8000, jitter: 'upper-half', random: () => 0 });
    expect(waits(low, 5)).toEqual([500, 1000, 2000, 4000, 4000]);
    const high = new Backoff({ initialMs: 1000, maxMs: 8000, jitter: 'upper-half', random: () => 1 });
    expect(waits(high, 5)).toEqual([1000, 2000, 4000, 8000, 8000]);
  });

  it('rounds a jittered wait to a whole millisecond', () => {
    expect(new Backoff({ initialMs: 1000, maxMs: 8000, jitter: 'upper-half', random: () => 0.3333 }).next()).toBe(667);
  });

  it('starts again from the initial delay after a reset', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 10_000, jitter: 'upper-half', random: () => 1 });
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });

  it('counts the failures since the last reset', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1000 });
    expect(backoff.failures).toBe(0);
    waits(backoff, 3);
    expect(backoff.failures).toBe(3);
    backoff.reset();
    expect(backoff.failures).toBe(0);
  });
});
