import { retryWithBackoff } from './retry';

/** An action that fails `failures` times, then succeeds; it counts its calls. */
function flaky(failures: number): { action: () => Promise<void>; calls: () => number } {
  let calls = 0;
  return {
    action: () => (++calls <= failures ? Promise.reject(new Error(`failure ${calls}`)) : Promise.resolve()),
    calls: () => calls,
  };
}

describe(retryWithBackoff.name, () => {
  it('retries a failing action with doubling waits until it succeeds', async () => {
    const { action, calls } = flaky(4);
    const failures: [string, number][] = [];
    const done = await retryWithBackoff(action, {
      initialMs: 2,
      maxMs: 10,
      stopped: () => false,
      onFailure: (error, retryInMs) => failures.push([(error as Error).message, retryInMs]),
    });
    expect(done).toBe(true);
    expect(calls()).toBe(5);
    expect(failures).toEqual([
      ['failure 1', 2],
      ['failure 2', 4],
      ['failure 3', 8],
      ['failure 4', 10],
    ]);
  });

  it('makes no attempt once stopped', async () => {
    const { action, calls } = flaky(0);
    expect(await retryWithBackoff(action, { initialMs: 1, maxMs: 1, stopped: () => true, onFailure: () => undefined })).toBe(false);
    expect(calls()).toBe(0);
  });

  it('gives up after the wait in which it was stopped', async () => {
    const { action, calls } = flaky(Infinity);
    let stopped = false;
    const done = await retryWithBackoff(action, {
      initialMs: 1,
      maxMs: 1,
      stopped: () => stopped,
      onFailure: () => (stopped = calls() === 2),
    });
    expect(done).toBe(false);
    expect(calls()).toBe(2);
  });
});
