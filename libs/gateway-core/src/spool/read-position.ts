import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where a SegmentLog's oldest unread entry starts. */
export interface Position {
  segment: number;
  offset: number;
}

const POSITION_FILE = 'read-position.json';

/** The position saved in `dir`, or undefined when none was saved. */
export function loadReadPosition(dir: string): Promise<Position | undefined> {
  return readFile(join(dir, POSITION_FILE), 'utf8').then((t) => JSON.parse(t) as Position, () => undefined);
}

export async function saveReadPosition(dir: string, position: Position): Promise<void> {
  // Losing this write only replays entries Kafka already has; they keep their ids.
  const path = join(dir, POSITION_FILE);
  await writeFile(`${path}.tmp`, JSON.stringify(position));
  await rename(`${path}.tmp`, path);
}
