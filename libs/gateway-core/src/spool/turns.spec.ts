import { Turns } from './turns';

describe(Turns.name, () => {
  it('runs work one piece at a time in the order it was handed over, past a failed turn', async () => {
    const turns = new Turns();
    const log: string[] = [];
    let release = (): void => undefined;
    const first = turns.take(async () => {
      log.push('first starts');
      await new Promise<void>((resolve) => (release = resolve));
      log.push('first ends');
      return 1;
    });
    const failing = turns.take(() => Promise.reject(new Error('boom')));
    const last = turns.take(() => {
      log.push('last runs');
      return Promise.resolve(3);
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['first starts']);
    release();
    await expect(first).resolves.toBe(1);
    await expect(failing).rejects.toThrow('boom');
    await expect(last).resolves.toBe(3);
    expect(log).toEqual(['first starts', 'first ends', 'last runs']);
  });
});
