/** A CoAP uint option value (RFC 7252 §3.2): big-endian, no leading zero bytes, empty for 0. */
export function decodeUint(value: Buffer): number {
  return value.length === 0 ? 0 : value.readUIntBE(0, Math.min(value.length, 6));
}

export function encodeUint(n: number): Buffer {
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from(bytes);
}
