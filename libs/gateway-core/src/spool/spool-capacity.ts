import { mkdir, readdir, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';

/** Of the space the spool could have, what it leaves for the read position, a segment's tail and other files. */
const HEADROOM = 0.1;
/** At most this share of the spool's limit in one segment: space comes back a segment at a time. */
const SEGMENTS_PER_LIMIT = 8;
const MIN_SEGMENT_BYTES = 4096;

export interface SpoolCapacity {
  /** The limit the spool applies: the configured maxBytes, or less when the volume cannot hold it. */
  maxBytes: number;
  segmentBytes: number;
  /** What the volume can give the spool: its free space plus the segments already there. */
  roomBytes: number;
}

/**
 * Fits the spool's limit to its volume, so that the overflow policy applies before the disk is
 * full. A volume the size of maxBytes (the usual mistake) would otherwise fill first.
 */
export async function fitToVolume(dir: string, wanted: { maxBytes: number; segmentBytes: number }): Promise<SpoolCapacity> {
  await mkdir(dir, { recursive: true });
  const volume = await statfs(dir);
  const roomBytes = volume.bavail * volume.bsize + (await segmentBytesIn(dir));
  const usable = Math.floor(roomBytes * (1 - HEADROOM));
  const segmentBytes = Math.max(MIN_SEGMENT_BYTES, Math.min(wanted.segmentBytes, Math.floor(Math.min(wanted.maxBytes, usable) / SEGMENTS_PER_LIMIT)));
  // The segment being read is on disk but no longer counted: leave room for it.
  return { maxBytes: Math.min(wanted.maxBytes, Math.max(MIN_SEGMENT_BYTES, usable - segmentBytes)), segmentBytes, roomBytes };
}

async function segmentBytesIn(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) if (name.endsWith('.seg')) total += (await stat(join(dir, name))).size;
  return total;
}
