import { waitFor } from './wait-for';

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
});
