/**
 * Kafka's records and record batches (message format v2) encoded byte for byte as kafkajs 2.2.4
 * encodes them, in fewer steps. kafkajs writes each varint through a new array and Buffer, each
 * timestamp delta through BigInts, and copies the whole batch three times on the way to its
 * request: about a sixth of the gateway's CPU at full load (`npm run bench -- mqtt --profile`).
 * Here a record is sized first, then written once into a buffer of exactly its size, and a batch
 * is written once around its records. What this path does not cover (compression, header
 * arrays, fractional or huge timestamps) goes to kafkajs's own code.
 */

/** kafkajs's Encoder as far as this file uses it: its produce request reads `buf` and `offset`. */
export interface KafkajsEncoder {
  buf: Buffer;
  offset: number;
}
type Bytes = Buffer | string | null | undefined;
export interface RecordFields {
  offsetDelta?: number;
  timestampDelta?: number;
  key?: Bytes;
  value?: Bytes;
  headers?: Record<string, unknown>;
}
export type RecordEncoder = (fields: RecordFields) => KafkajsEncoder;
export interface BatchFields {
  compression?: number;
  firstOffset?: unknown;
  firstTimestamp?: unknown;
  maxTimestamp?: unknown;
  partitionLeaderEpoch?: number;
  lastOffsetDelta?: number;
  transactional?: boolean;
  producerId?: unknown;
  producerEpoch?: number;
  firstSequence?: number;
  records?: KafkajsEncoder[];
}
export type BatchEncoder = (fields: BatchFields) => Promise<KafkajsEncoder>;
/** kafkajs's Long: 64-bit values given as numbers, strings or Longs, written as kafkajs writes them. */
export interface LongClass {
  fromValue(value: unknown): { getHighBits(): number; getLowBits(): number };
}
export type Crc32c = (bytes: Buffer) => number;

const MAGIC = 2;
const TRANSACTIONAL = 16;
const NO_COMPRESSION = 0;
// Zigzag doubles a delta, so below this its varint is exact in a double.
const SAFE_DELTA = 2 ** 52;
// Batch header before the records: firstOffset, length, leader epoch, magic, crc,
// attributes, lastOffsetDelta, two timestamps, producer id and epoch, first sequence, count.
const BATCH_HEADER = 8 + 4 + 4 + 1 + 4 + 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4;
const CRC_AT = 8 + 4 + 4 + 1;
const ATTRIBUTES_AT = CRC_AT + 4;

/** Zigzag then LEB128, with kafkajs's 32-bit arithmetic, so out-of-range values match too. */
function varIntSize(value: number): number {
  let zigzag = (value << 1) ^ (value >> 31);
  let size = 1;
  while ((zigzag & 0xffffff80) !== 0) {
    size++;
    zigzag >>>= 7;
  }
  return size;
}

function writeVarInt(buf: Buffer, at: number, value: number): number {
  let zigzag = (value << 1) ^ (value >> 31);
  while ((zigzag & 0xffffff80) !== 0) {
    buf[at++] = (zigzag & 0x7f) | 0x80;
    zigzag >>>= 7;
  }
  buf[at++] = zigzag & 0x7f;
  return at;
}

const zigzagLong = (value: number): number => (value >= 0 ? value * 2 : -value * 2 - 1);

function varLongSize(value: number): number {
  let rest = zigzagLong(value);
  let size = 1;
  while (rest >= 128) {
    size++;
    rest = Math.floor(rest / 128);
  }
  return size;
}

function writeVarLong(buf: Buffer, at: number, value: number): number {
  let rest = zigzagLong(value);
  while (rest >= 128) {
    buf[at++] = (rest % 128) | 0x80;
    rest = Math.floor(rest / 128);
  }
  buf[at++] = rest;
  return at;
}

/** -1 for null, as kafkajs writes an absent key, value or header value. */
const lengthOf = (bytes: Bytes): number => (bytes === null || bytes === undefined ? -1 : typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length);
const isBytes = (value: unknown): value is Bytes => value === null || value === undefined || typeof value === 'string' || Buffer.isBuffer(value);
const fieldSize = (length: number): number => varIntSize(length) + Math.max(length, 0);

function writeField(buf: Buffer, at: number, bytes: Bytes, length: number): number {
  at = writeVarInt(buf, at, length);
  if (length <= 0 || bytes === null || bytes === undefined) return at;
  if (typeof bytes === 'string') buf.write(bytes, at, length, 'utf8');
  else bytes.copy(buf, at);
  return at + length;
}

/** An Encoder holding exactly `buf`, as kafkajs's own would after writing it. */
function filled(prototype: object, buf: Buffer): KafkajsEncoder {
  const encoder = Object.create(prototype) as KafkajsEncoder;
  encoder.buf = buf;
  encoder.offset = buf.length;
  return encoder;
}

/** A record checked and sized for writing in place: what kafkajs's Record would write. */
interface SizedRecord {
  offsetDelta: number;
  timestampDelta: number;
  key: Bytes;
  value: Bytes;
  headers: Record<string, Bytes> | undefined;
  names: string[];
  keyLength: number;
  valueLength: number;
  bodySize: number;
  /** The body and its length prefix. */
  size: number;
}

/** The record sized, or undefined where kafkajs's own encoding must write it. */
function sizeRecord(fields: RecordFields): SizedRecord | undefined {
  const { offsetDelta = 0, timestampDelta = 0, key, value, headers } = fields;
  if (!Number.isInteger(offsetDelta) || !Number.isInteger(timestampDelta) || Math.abs(timestampDelta) >= SAFE_DELTA || !isBytes(key) || !isBytes(value)) return undefined;
  const names = headers ? Object.keys(headers) : [];
  let headersSize = varIntSize(names.length);
  for (const name of names) {
    const header = (headers as Record<string, unknown>)[name];
    // kafkajs throws on a null header value and spreads arrays: its code handles both.
    if (header === null || header === undefined || !isBytes(header)) return undefined;
    headersSize += fieldSize(Buffer.byteLength(name)) + fieldSize(lengthOf(header));
  }
  const keyLength = lengthOf(key);
  const valueLength = lengthOf(value);
  const bodySize = 1 + varLongSize(timestampDelta) + varIntSize(offsetDelta) + fieldSize(keyLength) + fieldSize(valueLength) + headersSize;
  return { offsetDelta, timestampDelta, key, value, headers: headers as Record<string, Bytes> | undefined, names, keyLength, valueLength, bodySize, size: varIntSize(bodySize) + bodySize };
}

function writeRecord(buf: Buffer, at: number, record: SizedRecord): number {
  at = writeVarInt(buf, at, record.bodySize);
  buf[at++] = 0; // attributes: none are used per record
  at = writeVarLong(buf, at, record.timestampDelta);
  at = writeVarInt(buf, at, record.offsetDelta);
  at = writeField(buf, at, record.key, record.keyLength);
  at = writeField(buf, at, record.value, record.valueLength);
  at = writeVarInt(buf, at, record.names.length);
  for (const name of record.names) {
    const header = (record.headers as Record<string, Bytes>)[name];
    at = writeField(buf, at, name, Buffer.byteLength(name));
    at = writeField(buf, at, header, lengthOf(header));
  }
  return at;
}

/** kafkajs's Record (recordBatch/record/v0), sized then written once; `fallback` is kafkajs's own. */
export function recordEncoder(prototype: object, fallback: RecordEncoder): RecordEncoder {
  return function encodeRecord(fields) {
    const record = sizeRecord(fields);
    if (!record) return fallback(fields);
    const buf = Buffer.allocUnsafe(record.size);
    writeRecord(buf, 0, record);
    return filled(prototype, buf);
  };
}

function writeLong(Long: LongClass, buf: Buffer, at: number, value: unknown): number {
  const long = Long.fromValue(value);
  buf.writeInt32BE(long.getHighBits(), at);
  buf.writeInt32BE(long.getLowBits(), at + 4);
  return at + 8;
}

/** A batch's header at `start`, its CRC left for `sealBatch`; returns where its records go. */
function writeBatchHeader(Long: LongClass, buf: Buffer, start: number, fields: BatchFields, size: number, count: number): number {
  const now = Date.now();
  const { firstOffset = 0, firstTimestamp = now, maxTimestamp = now, partitionLeaderEpoch = 0, lastOffsetDelta = 0, transactional = false, producerId = -1, producerEpoch = 0, firstSequence = 0 } = fields;
  let at = writeLong(Long, buf, start, firstOffset);
  at = buf.writeInt32BE(size - 12, at); // the batch's length after firstOffset and this field
  at = buf.writeInt32BE(partitionLeaderEpoch, at);
  at = buf.writeInt8(MAGIC, at);
  at += 4; // the CRC, written last
  at = buf.writeInt16BE(transactional ? TRANSACTIONAL : 0, at);
  at = buf.writeInt32BE(lastOffsetDelta, at);
  at = writeLong(Long, buf, at, firstTimestamp);
  at = writeLong(Long, buf, at, maxTimestamp);
  at = writeLong(Long, buf, at, producerId);
  at = buf.writeInt16BE(producerEpoch, at);
  at = buf.writeInt32BE(firstSequence, at);
  return buf.writeInt32BE(count, at);
}

/** The CRC of the batch written at `start`, over everything after it. */
function sealBatch(crc32c: Crc32c, buf: Buffer, start: number, size: number): void {
  buf.writeUInt32BE(crc32c(buf.subarray(start + ATTRIBUTES_AT, start + size)), start + CRC_AT);
}

/**
 * kafkajs's RecordBatch (recordBatch/v0) for uncompressed batches: one buffer, the records
 * copied into it once, the CRC taken in place. `fallback` (kafkajs's own) compresses.
 */
export function batchEncoder(prototype: object, Long: LongClass, crc32c: Crc32c, fallback: BatchEncoder): BatchEncoder {
  return async function encodeRecordBatch(fields) {
    const { compression = NO_COMPRESSION, records = [] } = fields;
    if (compression !== NO_COMPRESSION || !records.every((record) => record !== null && typeof record === 'object' && Buffer.isBuffer(record.buf))) return fallback(fields);
    let size = BATCH_HEADER;
    for (const record of records) size += record.offset;
    const buf = Buffer.allocUnsafe(size);
    let at = writeBatchHeader(Long, buf, 0, fields, size, records.length);
    for (const record of records) at += record.buf.copy(buf, at, 0, record.offset);
    sealBatch(crc32c, buf, 0, size);
    return filled(prototype, buf);
  };
}

/** Bytes a request is made of, written in place by whoever assembles the request. */
export interface RequestPart {
  size: number;
  write(buf: Buffer, at: number): void;
}

export type BatchPlanner = (fields: Omit<BatchFields, 'records'>, records: RecordFields[]) => RequestPart | undefined;

/**
 * An uncompressed record batch as a part of its produce request: the records are sized now and
 * written, with the batch around them, straight into the request's buffer, where kafkajs would
 * have copied them six times. Undefined where kafkajs's Record or RecordBatch must do it.
 */
export function batchPlanner(Long: LongClass, crc32c: Crc32c): BatchPlanner {
  return (fields, records) => {
    if ((fields.compression ?? NO_COMPRESSION) !== NO_COMPRESSION) return undefined;
    const sized: SizedRecord[] = [];
    let size = BATCH_HEADER;
    for (const fieldsOfRecord of records) {
      const record = sizeRecord(fieldsOfRecord);
      if (!record) return undefined;
      sized.push(record);
      size += record.size;
    }
    return {
      size,
      write: (buf, start) => {
        let at = writeBatchHeader(Long, buf, start, fields, size, sized.length);
        for (const record of sized) at = writeRecord(buf, at, record);
        sealBatch(crc32c, buf, start, size);
      },
    };
  };
}
