import { hash } from 'node:crypto';

const SEPARATOR = 0;

/**
 * An id derived from what a record is about, so the same record produced again (a protocol
 * redelivery, a replay after a crash or a rebalance) carries the same id and consumers can
 * drop the duplicate: the first 128 bits of the SHA-256 of the parts, NUL-separated. The parts
 * are joined into one buffer and hashed in one call; a Hash object per record cost about 5% of
 * the MQTT gateway's CPU.
 */
export function stableId(kind: string, ...parts: (string | number | Uint8Array)[]): string {
  const texts = parts.map((part) => (typeof part === 'number' ? String(part) : part));
  let length = texts.length - 1;
  for (const part of texts) length += typeof part === 'string' ? Buffer.byteLength(part) : part.length;
  const joined = Buffer.allocUnsafe(Math.max(0, length));
  let offset = 0;
  texts.forEach((part, i) => {
    if (i > 0) joined[offset++] = SEPARATOR;
    if (typeof part === 'string') offset += joined.write(part, offset);
    else {
      joined.set(part, offset);
      offset += part.length;
    }
  });
  return `${kind}-${hash('sha256', joined, 'hex').slice(0, 32)}`;
}
