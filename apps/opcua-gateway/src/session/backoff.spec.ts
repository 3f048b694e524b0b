import { Backoff } from './backoff';

describe(Backoff.name, () => {
  it('doubles the ceiling on each failure up to the maximum, waiting between half of it and all of it', () => {
    const low = new Backoff(1000, 8000, () => 0);
    expect([low.next(), low.next(), low.next(), low.next(), low.next()]).toEqual([500, 1000, 2000, 4000, 4000]);
    const high = new Backoff(1000, 8000, () => 1);
    expect([high.next(), high.next(), high.next(), high.next(), high.next()]).toEqual([1000, 2000, 4000, 8000, 8000]);
  });

  it('starts again from the initial delay after a reset', () => {
    const backoff = new Backoff(100, 10_000, () => 1);
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });
});
