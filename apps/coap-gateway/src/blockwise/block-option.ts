/** A Block1 or Block2 option value (RFC 7959 §2.2): block number, more flag and size exponent. */
export interface BlockOption {
  num: number;
  more: boolean;
  /** The block size is 2 ** (szx + 4) bytes: 16 to 1024. */
  szx: number;
}

export function blockSize(block: BlockOption): number {
  return 2 ** (block.szx + 4);
}

/** Decodes the option's 0–3 byte unsigned integer; undefined when it is longer or uses the reserved SZX 7 (BERT). */
export function parseBlockOption(value: Buffer): BlockOption | undefined {
  if (value.length > 3) return undefined;
  const n = value.length === 0 ? 0 : value.readUIntBE(0, value.length);
  const szx = n & 0x07;
  if (szx === 7) return undefined;
  return { num: n >>> 4, more: (n & 0x08) !== 0, szx };
}

export function encodeBlockOption(block: BlockOption): Buffer {
  const n = (block.num << 4) | (block.more ? 0x08 : 0) | block.szx;
  if (n === 0) return Buffer.alloc(0);
  const length = n < 0x100 ? 1 : n < 0x10000 ? 2 : 3;
  const out = Buffer.alloc(length);
  out.writeUIntBE(n, 0, length);
  return out;
}
