import { type IsolationSteps, isolate } from './refusal-isolation';

interface Item {
  value: string;
}

const tooLarge = () => Object.assign(new Error('too large'), { type: 'MESSAGE_TOO_LARGE' });

/** Steps against a fake broker that refuses, for good, every batch holding a refused value. */
function steps(refuse: Set<string>, transientAfter = Infinity) {
  const delivered: string[] = [];
  const refused: [string, string][] = [];
  let requests = 0;
  const isolation: IsolationSteps<Item> = {
    send: (batch) => {
      requests++;
      if (requests > transientAfter) return Promise.reject(new Error('ECONNRESET'));
      return batch.some((i) => refuse.has(i.value)) ? Promise.reject(tooLarge()) : Promise.resolve();
    },
    answered: () => undefined,
    delivered: (batch) => delivered.push(...batch.map((i) => i.value)),
    refused: (item, type) => refused.push([item.value, type]),
  };
  return { isolation, delivered, refused };
}

const items = (...values: string[]): Item[] => values.map((value) => ({ value }));

describe(isolate.name, () => {
  it('refuses only the records Kafka refuses and delivers the rest in order', async () => {
    const { isolation, delivered, refused } = steps(new Set(['c', 'f']));
    await expect(isolate(items('a', 'b', 'c', 'd', 'e', 'f', 'g'), 'MESSAGE_TOO_LARGE', tooLarge(), isolation)).resolves.toBe(true);
    expect(delivered).toEqual(['a', 'b', 'd', 'e', 'g']);
    expect(refused).toEqual([
      ['c', 'MESSAGE_TOO_LARGE'],
      ['f', 'MESSAGE_TOO_LARGE'],
    ]);
  });

  it('stops, returning false, once a failure is transient again', async () => {
    const { isolation, delivered, refused } = steps(new Set(['b']), 1);
    await expect(isolate(items('a', 'b', 'c', 'd'), 'MESSAGE_TOO_LARGE', tooLarge(), isolation)).resolves.toBe(false);
    expect({ delivered, refused }).toEqual({ delivered: [], refused: [] });
  });
});
