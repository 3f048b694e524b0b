import { createHash } from 'node:crypto';

/**
 * An id derived from what a record is about, so the same record produced again (a protocol
 * redelivery, a replay after a crash or a rebalance) carries the same id and consumers can
 * drop the duplicate.
 */
export function stableId(kind: string, ...parts: (string | number | Uint8Array)[]): string {
  const hash = createHash('sha256');
  parts.forEach((part, i) => {
    if (i > 0) hash.update('\u0000');
    hash.update(typeof part === 'number' ? String(part) : part);
  });
  return `${kind}-${hash.digest('hex').slice(0, 32)}`;
}
