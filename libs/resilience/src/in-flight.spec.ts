import { InFlight } from './in-flight';

/** A promise settled from outside. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every queued promise callback run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe(InFlight.name, () => {
  it('counts work until it settles, resolved or rejected', async () => {
    const inFlight = new InFlight();
    const a = deferred();
    const b = deferred();
    inFlight.track(a.promise);
    inFlight.track(b.promise);
    expect(inFlight.size).toBe(2);
    a.resolve();
    b.reject(new Error('lost'));
    await settle();
    expect(inFlight.size).toBe(0);
  });

  it('waits until fewer than the limit are in flight, and sees the lower count when it wakes', async () => {
    const inFlight = new InFlight();
    const works = [deferred(), deferred(), deferred()];
    works.forEach((w) => inFlight.track(w.promise));
    let woke: number | undefined;
    const waiting = inFlight.waitBelow(3).then(() => {
      woke = inFlight.size;
    });
    await settle();
    expect(woke).toBeUndefined();
    works[1]?.resolve();
    await waiting;
    expect(woke).toBe(2);
  });

  it('returns at once when already below the limit', async () => {
    const inFlight = new InFlight();
    inFlight.track(deferred().promise);
    await expect(inFlight.waitBelow(2)).resolves.toBeUndefined();
  });

  it('does not wait forever on a limit of 0 once nothing is in flight', async () => {
    const inFlight = new InFlight();
    inFlight.track(Promise.resolve());
    await expect(inFlight.waitBelow(0)).resolves.toBeUndefined();
    expect(inFlight.size).toBe(0);
  });

  it('drains the work tracked so far, failed work included, without waiting for work tracked later', async () => {
    const inFlight = new InFlight();
    const first = deferred();
    const failing = deferred();
    inFlight.track(first.promise);
    inFlight.track(failing.promise);
    let drained = false;
    const draining = inFlight.drain().then(() => {
      drained = true;
    });
    inFlight.track(deferred().promise);
    first.resolve();
    await settle();
    expect(drained).toBe(false);
    failing.reject(new Error('lost'));
    await draining;
    expect(inFlight.size).toBe(1);
  });
});
