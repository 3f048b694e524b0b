import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Logger } from '@fieldlink/service';

/**
 * One of `count` static shards. Every replica subscribes to every message without `$share`, so
 * each sees a device's messages in the order the broker has them, and forwards only the devices
 * whose hash falls in its shard: one replica per device, whatever the broker, and the device's
 * order in Kafka is the broker's.
 */
export class Shard {
  constructor(
    readonly index: number,
    readonly count: number,
  ) {}

  /** `key`: the deviceId the topic names, or the topic itself when it names none. */
  owns(key: string): boolean {
    return shardOf(key, this.count) === this.index;
  }
}

/**
 * FNV-1a (32 bits) of the key's UTF-8 bytes, modulo `count`. Replicas of different versions must
 * agree on it, so it never changes.
 */
export function shardOf(key: string, count: number): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(key, 'utf8')) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash % count;
}

/** A StatefulSet pod's ordinal: the number its name ends in (`fl-mqtt-gateway-1` → 1). */
export function ordinalOf(instanceId: string): number | undefined {
  const match = /-(\d+)$/.exec(instanceId);
  return match ? Number(match[1]) : undefined;
}

/**
 * Keeps the shard count this replica last ran with in `file` (on its spool volume), and logs an
 * error when it starts with another: while replicas with old and new counts ran side by side,
 * messages of devices that moved between shards may have been forwarded by none of them.
 */
export function recordShardCount(file: string, count: number, logger: Logger): void {
  try {
    const previous = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { count?: unknown }).count : undefined;
    if (typeof previous === 'number' && previous !== count) {
      logger.error(
        { previous, count },
        'sharding.count changed: unless every replica was stopped before the change, messages of devices that moved to another shard may have been dropped during the rollout (README, Scale-out)',
      );
    }
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ count }));
  } catch (err) {
    logger.warn({ err, file }, 'could not keep the shard count; a change of it will not be reported');
  }
}
