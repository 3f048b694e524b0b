import { timestampRange } from './produce-request-encoding';

/** What kafkajs's produce request does: the timestamps that are set, sorted by Array.prototype.sort's default order. */
function kafkajsRange(timestamps: (string | number | null | undefined)[], now: number): { first: unknown; max: unknown } {
  const sorted = timestamps.filter((t) => t != null).sort();
  return sorted.length === 0 ? { first: now, max: now } : { first: sorted[0], max: sorted[sorted.length - 1] };
}

describe('timestampRange', () => {
  it('finds the first and last timestamp kafkajs finds, string order and ties included', () => {
    const pool: (string | number | null | undefined)[] = ['1700000000000', '1700000000001', '999', '1000', 1700000000000, 1000, '2', 2, undefined, null, '', 'x'];
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let run = 0; run < 2000; run++) {
      const timestamps = Array.from({ length: Math.floor(random() * 8) }, () => pool[Math.floor(random() * pool.length)]);
      const ours = timestampRange(timestamps.map((timestamp) => ({ timestamp })), 42);
      // toBe: which of two equal-looking values (1000 or '1000') comes first matters to the bytes.
      const expected = kafkajsRange(timestamps, 42);
      expect([ours.first, ours.max]).toStrictEqual([expected.first, expected.max]);
    }
  });
});
