import { GiveUp, waitFor } from './wait-for';

describe(waitFor.name, () => {
  it('returns the first truthy value', async () => {
    let calls = 0;
    await expect(waitFor('three calls', () => (++calls >= 3 ? calls : undefined), { intervalMs: 1 })).resolves.toBe(3);
  });

  it('fails at the deadline naming what it waited for and the last error', async () => {
    await expect(
      waitFor('the impossible', () => {
        throw new Error('still no');
      }, { timeoutMs: 30, intervalMs: 5 }),
    ).rejects.toThrow(/the impossible \(last error: still no\)/);
  });

  it('gives up at once on a GiveUp, without waiting for the deadline', async () => {
    const started = Date.now();
    await expect(
      waitFor('a process that exited', () => {
        throw new GiveUp('it exited');
      }, { timeoutMs: 60_000, intervalMs: 5 }),
    ).rejects.toThrow('it exited');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
