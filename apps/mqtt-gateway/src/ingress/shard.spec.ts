import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Logger } from '@fieldlink/service';
import { Shard, ordinalOf, recordShardCount, shardOf } from './shard';

describe('Shard', () => {
  it('hashes with FNV-1a, so replicas of any version agree', () => {
    // FNV-1a 32 of "a" is 0xe40c292c and of "foobar" 0xbf9cf968 (the reference test vectors).
    expect(shardOf('a', 2 ** 32 - 1)).toBe(0xe40c292c);
    expect(shardOf('foobar', 2 ** 32 - 1)).toBe(0xbf9cf968);
  });

  it('gives every key to exactly one of the shards, and spreads keys over all of them', () => {
    const shards = [0, 1, 2].map((i) => new Shard(i, 3));
    const perShard = [0, 0, 0];
    for (let d = 0; d < 300; d++) {
      const owners = shards.filter((s) => s.owns(`dev-${d}`));
      expect(owners).toHaveLength(1);
      perShard[owners[0]?.index ?? 0]++;
    }
    for (const n of perShard) expect(n).toBeGreaterThan(60);
  });

  it('reads the ordinal a StatefulSet gives its pods', () => {
    expect(ordinalOf('fl-mqtt-gateway-1')).toBe(1);
    expect(ordinalOf('plant-a-mqtt-gateway-12')).toBe(12);
    expect(ordinalOf('gateway')).toBeUndefined();
    expect(ordinalOf('gateway-1a')).toBeUndefined();
  });
});

describe(recordShardCount.name, () => {
  it('logs an error when a replica starts with another count than it last ran with, and only then', () => {
    const errors: unknown[] = [];
    const logger = { error: (fields: unknown) => errors.push(fields), warn: () => undefined } as unknown as Logger;
    const file = join(mkdtempSync(join(tmpdir(), 'fieldlink-shards-')), 'spool', 'mqtt-shards.json');
    recordShardCount(file, 2, logger);
    recordShardCount(file, 2, logger);
    expect(errors).toEqual([]);
    recordShardCount(file, 3, logger);
    expect(errors).toEqual([{ previous: 2, count: 3 }]);
  });
});
