import { createHash } from 'node:crypto';

/**
 * An id derived from what an output is about, so a result emitted again after a crash or a
 * rebalance carries the same id and consumers can drop the duplicate.
 */
export function stableId(kind: string, ...parts: (string | number)[]): string {
  return `${kind}-${createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32)}`;
}
