import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDirectory } from './segment-file';

/** Where a SegmentLog's oldest unread entry starts. */
export interface Position {
  segment: number;
  offset: number;
}

const POSITION_FILE = 'read-position.json';

/**
 * The position saved in `dir`, or undefined when none was saved or it cannot be read: reading
 * from the first segment then only replays entries Kafka already has, under their ids.
 */
export async function loadReadPosition(dir: string): Promise<Position | undefined> {
  const text = await readFile(join(dir, POSITION_FILE), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const { segment, offset } = JSON.parse(text) as Partial<Position>;
    return isCount(segment) && isCount(offset) ? { segment, offset } : undefined;
  } catch {
    return undefined;
  }
}

export async function saveReadPosition(dir: string, position: Position): Promise<void> {
  const path = join(dir, POSITION_FILE);
  await writeFile(`${path}.tmp`, JSON.stringify(position), { flush: true });
  await rename(`${path}.tmp`, path);
  await syncDirectory(dir);
}

const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
