import { randomBytes } from 'node:crypto';
import { crc32c as ours } from './crc32c';
import { batchEncoder, type BatchEncoder, type BatchFields, type Crc32c, type KafkajsEncoder, type LongClass, recordEncoder, type RecordEncoder, type RecordFields } from './record-batch-encoding';

// Jest loads modules past Node's cache, so these are kafkajs's own.
/* eslint-disable @typescript-eslint/no-require-imports */
const Encoder = require('kafkajs/src/protocol/encoder') as { prototype: object };
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as RecordEncoder;
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: BatchEncoder };
const Long = require('kafkajs/src/utils/long') as LongClass;
const crc32c = require('kafkajs/src/protocol/recordBatch/crc32C') as Crc32c;
/* eslint-enable @typescript-eslint/no-require-imports */

const GZIP = 1;
const encodeRecord = recordEncoder(Encoder.prototype, Record);
const encodeRecordBatch = batchEncoder(Encoder.prototype, Long, crc32c, RecordBatch);
const bytes = (encoder: KafkajsEncoder) => encoder.buf.subarray(0, encoder.offset);

function expectSameRecord(fields: RecordFields): void {
  let expected: Buffer;
  try {
    expected = bytes(Record(fields));
  } catch (error) {
    // Node's errors come from outside Jest's realm: `instanceof Error` is false for them.
    expect(() => encodeRecord(fields)).toThrow((error as Error).message);
    return;
  }
  expect(bytes(encodeRecord(fields)).toString('hex')).toBe(expected.toString('hex'));
}

const keys = [null, undefined, '', 'dev-1', 'ü-€-𝄞', '\ud800 lone', Buffer.alloc(0), Buffer.from([0, 1, 255]), 'k'.repeat(200)];
const values = [null, '', '{"t":1}', Buffer.alloc(300, 7), 'é'.repeat(5000), Buffer.alloc(70_000, 3)];
const deltas = [0, 1, -1, 63, 64, -65, 127, 128, 8191, 8192, 2 ** 31, -(2 ** 31) - 1, 1.7e12, -1.7e12, 2 ** 52 - 1, -(2 ** 52) + 1, 2 ** 52, 2 ** 53 + 2, 0.5, Number.NaN];
const offsets = [0, 1, 63, 64, 699, 8192, 2 ** 20, 2 ** 30, -1];
const headerSets: RecordFields['headers'][] = [undefined, {}, { a: 'b' }, { source: 'gw', trace: Buffer.from([1, 2]), 'ü': '' }, { many: ['x', 'y'] }, { bad: null }, { ['h'.repeat(300)]: 'v'.repeat(300) }];

describe('record batch encoding', () => {
  it('writes every record exactly as kafkajs, and lets kafkajs handle and reject what it does not cover', () => {
    let cases = 0;
    for (const key of keys) for (const value of values) expectSameRecord({ key, value, offsetDelta: cases++ % 700, timestampDelta: cases * 1013 });
    for (const timestampDelta of deltas) for (const offsetDelta of offsets) expectSameRecord({ key: 'k', value: 'v', timestampDelta, offsetDelta });
    for (const headers of headerSets) expectSameRecord({ key: 'k', value: Buffer.from('v'), headers });
    expectSameRecord({ value: 'defaults only' });
  });

  it('writes a batch exactly as kafkajs, its length and CRC included', async () => {
    const records = values.flatMap((value, i) => keys.map((key, j) => Record({ key, value, offsetDelta: i * keys.length + j, timestampDelta: j * 9_999 })));
    const variants: BatchFields[] = [
      { records, firstTimestamp: 1_700_000_000_000, maxTimestamp: 1_700_000_090_000, lastOffsetDelta: records.length - 1, producerId: 7, producerEpoch: 1, firstSequence: 5 },
      { records, firstTimestamp: '1700000000000', maxTimestamp: '1700000000999', producerId: '9007199254740993', transactional: true, partitionLeaderEpoch: 3, firstOffset: 12 },
      { records: [], firstTimestamp: 1, maxTimestamp: 1 },
      { records: records.slice(0, 5), firstTimestamp: 1, maxTimestamp: 2, compression: GZIP },
    ];
    for (const fields of variants) {
      const expected = bytes(await RecordBatch(fields));
      expect(bytes(await encodeRecordBatch(fields)).toString('hex')).toBe(expected.toString('hex'));
    }
    // Ours in kafkajs's compressed batch: the records are Encoders it can read.
    const ours = records.slice(0, 5).map((_, i) => encodeRecord({ key: 'k', value: `v${i}`, offsetDelta: i }));
    const theirs = records.slice(0, 5).map((_, i) => Record({ key: 'k', value: `v${i}`, offsetDelta: i }));
    const gzipped = { firstTimestamp: 1, maxTimestamp: 1, compression: GZIP };
    expect(bytes(await encodeRecordBatch({ ...gzipped, records: ours }))).toEqual(bytes(await RecordBatch({ ...gzipped, records: theirs })));
  });

  it('takes the same CRC-32C as kafkajs, at every length and alignment', () => {
    const data = randomBytes(4096);
    for (let length = 0; length <= 70; length++) for (const start of [0, 1, 3, 7]) expect(ours(data.subarray(start, start + length))).toBe(crc32c(data.subarray(start, start + length)));
    expect(ours(data)).toBe(crc32c(data));
    expect(ours(Buffer.from('123456789'))).toBe(0xe3069283); // RFC 3720's check value
  });
});
