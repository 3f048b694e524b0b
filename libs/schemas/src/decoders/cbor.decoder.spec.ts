import { Encoder } from 'cbor-x';
import fc from 'fast-check';
import { SchemaErrorCode } from '../errors';
import { decodeCborMetrics, decodeJsonMetrics, decodeSenmlCbor, deviceIdFromBody } from './index';
import { codeOf, isValueOrSchemaError } from './decode-error.spec-helper';

// An independent encoder setting: plain CBOR maps, no cbor-x record extension.
const encoder = new Encoder({ useRecords: false, mapsAsObjects: false });
const cbor = (value: unknown) => encoder.encode(value);

describe(deviceIdFromBody.name, () => {
  it('reads a text or integer id from a JSON or CBOR body, and nothing from elsewhere', () => {
    expect(deviceIdFromBody('json', Buffer.from('{"device_id":"p1","t":1}'), 'device_id')).toBe('p1');
    expect(deviceIdFromBody('cbor', cbor(new Map<string, unknown>([['device_id', 42], ['t', 1]])), 'device_id')).toBe('42');
    expect(deviceIdFromBody('json', Buffer.from('{"data":{"device_id":"p1"}}'), 'device_id')).toBeUndefined();
    expect(deviceIdFromBody('json', Buffer.from('{"device_id":{"x":1}}'), 'device_id')).toBeUndefined();
    expect(codeOf(() => deviceIdFromBody('json', Buffer.from('{'), 'device_id'))).toBe(SchemaErrorCode.InvalidJson);
  });

  it('leaves the id field out of the metrics', () => {
    expect(decodeJsonMetrics(Buffer.from('{"device_id":"p1","t":1}'), { deviceIdField: 'device_id' })[0]?.values).toEqual({ t: { value: 1 } });
  });
});

describe('decodeCborMetrics', () => {
  it('reads a CBOR map of metrics as the JSON decoder reads the same object', () => {
    const body = { temperature: 21.5, on: true, mode: 'auto', motor: { rpm: 10 }, t: { value: 3, unit: 'Cel' }, ts: 1700000000000 };
    expect(decodeCborMetrics(cbor(body))).toEqual(decodeJsonMetrics(Buffer.from(JSON.stringify(body))));
  });

  it('takes a CBOR date (tag 1) in the timestamp field as the event time', () => {
    const bytes = Buffer.concat([Buffer.from([0xa2, 0x61, 0x76, 0x01, 0x62, 0x74, 0x73, 0xc1]), cbor(1700000000)]);
    expect(decodeCborMetrics(bytes)[0]?.eventTime?.toISOString()).toBe('2023-11-14T22:13:20.000Z');
  });

  it('keeps a "__proto__" key as a plain metric name', () => {
    const [reading] = decodeCborMetrics(cbor(new Map([['__proto__', 1]])));
    expect(Object.getPrototypeOf(reading?.values)).toBe(Object.prototype);
    expect(reading?.values['__proto__']).toEqual({ value: 1 });
  });

  it.each([
    ['empty', Buffer.alloc(0), SchemaErrorCode.InvalidCbor],
    ['truncated', cbor({ a: 1 }).subarray(0, 3), SchemaErrorCode.InvalidCbor],
    ['two data items', Buffer.concat([cbor({ a: 1 }), cbor({ b: 2 })]), SchemaErrorCode.InvalidCbor],
    ['an array', cbor([1, 2]), SchemaErrorCode.NotAnObject],
    ['a byte string metric', cbor({ a: new Uint8Array([1]) }), SchemaErrorCode.UnsupportedValue],
    ['an integer key', cbor(new Map([[1, 2]])), SchemaErrorCode.UnsupportedValue],
  ])('rejects %s', (_, bytes, code) => {
    expect(codeOf(() => decodeCborMetrics(bytes))).toBe(code);
  });

  it('gives a value or a SchemaError for any encoded value', () => {
    fc.assert(fc.property(fc.anything({ maxDepth: 4, withMap: true, withDate: true, withBigInt: true, withTypedArray: true }), (value) => isValueOrSchemaError(() => decodeCborMetrics(cbor(value)))), { numRuns: 2000 });
  });
});

describe('decodeSenmlCbor', () => {
  // RFC 8428 §6: the same pack as §5.1.2's JSON, with integer labels.
  it('reads integer labels (RFC 8428 Table 4) with base name, base time and units', () => {
    const pack = [
      new Map<number, unknown>([[-2, 'urn:dev:ow:10e2073a01080063:'], [-3, 1.276020076001e9], [-4, 'A'], [-1, 5], [0, 'voltage'], [1, 'V'], [2, 120.1]]),
      new Map<number, unknown>([[0, 'current'], [6, -5], [2, 1.2]]),
    ];
    const readings = decodeSenmlCbor(cbor(pack));
    expect(readings.map((r) => [r.eventTime?.toISOString(), r.values])).toEqual([
      ['2010-06-08T18:01:16.001Z', { 'urn:dev:ow:10e2073a01080063:voltage': { value: 120.1, unit: 'V' } }],
      ['2010-06-08T18:01:11.001Z', { 'urn:dev:ow:10e2073a01080063:current': { value: 1.2, unit: 'A' } }],
    ]);
  });

  it.each([
    ['a map, not an array', cbor(new Map([[2, 1]])), SchemaErrorCode.BadSenml],
    ['an unknown label', cbor([new Map([[99, 1]])]), SchemaErrorCode.BadSenml],
    ['a record that is not a map', cbor([1]), SchemaErrorCode.BadSenml],
  ])('rejects %s', (_, bytes, code) => {
    expect(codeOf(() => decodeSenmlCbor(bytes))).toBe(code);
  });

  it('gives a value or a SchemaError for any encoded pack of labelled records', () => {
    const label = fc.constantFrom(-5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8);
    const record = fc.array(fc.tuple(label, fc.oneof(fc.double(), fc.string(), fc.boolean(), fc.integer())), { maxLength: 6 }).map((entries) => new Map(entries));
    fc.assert(fc.property(fc.array(record, { maxLength: 5 }), (pack) => isValueOrSchemaError(() => decodeSenmlCbor(cbor(pack), { now: () => 1.7e12 }))), { numRuns: 2000 });
  });
});

describe('timestampUnit', () => {
  const at = (ts: unknown, timestampUnit?: 's' | 'ms' | 'auto') =>
    decodeJsonMetrics(Buffer.from(JSON.stringify({ v: 1, ts })), { ...(timestampUnit ? { timestampUnit } : {}) })[0]?.eventTime?.toISOString();

  it('reads fractional epoch seconds to the millisecond (Python time.time())', () => {
    expect(at(1732300000.1234567, 's')).toBe('2024-11-22T18:26:40.123Z');
  });

  it('reads epoch milliseconds by default, and RFC 3339 whatever the unit', () => {
    expect(at(1732300000123)).toBe('2024-11-22T18:26:40.123Z');
    expect(at('2024-11-22T18:26:40.123Z', 's')).toBe('2024-11-22T18:26:40.123Z');
  });

  it('auto tells seconds from milliseconds by size', () => {
    expect(at(1732300000.5, 'auto')).toBe('2024-11-22T18:26:40.500Z');
    expect(at(1732300000123, 'auto')).toBe('2024-11-22T18:26:40.123Z');
  });

  it('rejects a time out of range in seconds', () => {
    expect(codeOf(() => at(1e20, 's'))).toBe(SchemaErrorCode.BadTimestamp);
  });
});
