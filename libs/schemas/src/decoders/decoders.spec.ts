import fc from 'fast-check';
import { SchemaErrorCode } from '../errors';
import { DECODERS, DECODER_NAMES, decodeJsonMetrics, decodePlainNumber, decodeSenml } from './index';
import { codeOf } from './decode-error.spec-helper';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('decodeJsonMetrics', () => {
  it('reads flat metrics and the ts field as event time', () => {
    const [reading] = decodeJsonMetrics(bytes('{"temperature":21.5,"on":true,"mode":"auto","ts":1700000000000}'));
    expect(reading?.values).toEqual({ temperature: { value: 21.5 }, on: { value: true }, mode: { value: 'auto' } });
    expect(reading?.eventTime?.toISOString()).toBe('2023-11-14T22:13:20.000Z');
  });

  // Regression: `into[name] = …` with name "__proto__" replaced the values object's prototype and lost the metric.
  it('keeps a "__proto__" field as a plain metric', () => {
    const [reading] = decodeJsonMetrics(bytes('{"__proto__":5}'));
    expect(Object.getPrototypeOf(reading?.values)).toBe(Object.prototype);
    expect(Object.keys(reading?.values ?? {})).toEqual(['__proto__']);
  });

  it('takes the metrics from valuesField, the time from timestampField, and nothing else (the seed edge client)', () => {
    const payload = bytes('{"sensor_id":"edge-7","timestamp":1732300000.123456,"data":{"temperature":21.5,"motor":{"rpm":10}}}');
    const [reading] = decodeJsonMetrics(payload, { valuesField: 'data', timestampField: 'timestamp', timestampUnit: 's' });
    expect(reading?.values).toEqual({ temperature: { value: 21.5 }, 'motor.rpm': { value: 10 } });
    expect(reading?.eventTime?.toISOString()).toBe('2024-11-22T18:26:40.123Z');
    expect(codeOf(() => decodeJsonMetrics(bytes('{"sensor_id":"edge-7"}'), { valuesField: 'data' }))).toBe(SchemaErrorCode.NotAnObject);
  });

  it('keeps units and flattens nested objects', () => {
    const [reading] = decodeJsonMetrics(bytes('{"t":{"value":3,"unit":"Cel"},"motor":{"rpm":10,"load":{"pct":5}}}'));
    expect(reading?.values).toEqual({
      t: { value: 3, unit: 'Cel' },
      'motor.rpm': { value: 10 },
      'motor.load.pct': { value: 5 },
    });
  });

  it.each([
    ['{"a":', SchemaErrorCode.InvalidJson],
    ['[1,2]', SchemaErrorCode.NotAnObject],
    ['{}', SchemaErrorCode.NoMetrics],
    ['{"a":[1]}', SchemaErrorCode.UnsupportedValue],
    ['{"a":1,"ts":"yesterday"}', SchemaErrorCode.BadTimestamp],
  ])('rejects %s with %s', (text, code) => {
    expect(codeOf(() => decodeJsonMetrics(bytes(text)))).toBe(code);
  });

  it('rejects invalid UTF-8', () => {
    expect(codeOf(() => decodeJsonMetrics(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])))).toBe(SchemaErrorCode.InvalidUtf8);
  });
});

describe('decodePlainNumber', () => {
  it('reads a number into the configured metric', () => {
    expect(decodePlainNumber(bytes(' -1.5e2\n'), { metric: 'pressure' })).toEqual([
      { values: { pressure: { value: -150 } } },
    ]);
  });

  it.each(['', 'abc', '0x10', 'Infinity', '1,5'])('rejects %j', (text) => {
    expect(codeOf(() => decodePlainNumber(bytes(text)))).toBe(SchemaErrorCode.NotANumber);
  });
});

describe('decodeSenml', () => {
  const now = () => 1_700_000_000_000;

  it('resolves base name, base time, base unit and base value (RFC 8428 §4.5)', () => {
    const pack = [
      { bn: 'dev1/', bt: 1_700_000_000, bu: 'Cel', bv: 20, n: 'temp', v: 1.5 },
      { n: 'hum', u: '%RH', v: 30 },
      { n: 'temp', t: 10, v: 2 },
    ];
    const readings = decodeSenml(bytes(JSON.stringify(pack)), { now });
    expect(readings).toEqual([
      {
        eventTime: new Date(1_700_000_000_000),
        values: { 'dev1/temp': { value: 21.5, unit: 'Cel' }, 'dev1/hum': { value: 50, unit: '%RH' } },
      },
      { eventTime: new Date(1_700_000_010_000), values: { 'dev1/temp': { value: 22, unit: 'Cel' } } },
    ]);
  });

  it('treats small times as relative to now (RFC 8428 §4.5.3)', () => {
    const [reading] = decodeSenml(bytes('[{"n":"x","v":1,"t":-5}]'), { now });
    expect(reading?.eventTime?.getTime()).toBe(now() - 5000);
  });

  it.each([
    ['{"n":"x","v":1}', 'not an array'],
    ['[]', 'empty'],
    ['[{"n":"bad name","v":1}]', 'bad name'],
    ['[{"n":"x","v":1,"vs":"a"}]', 'two values'],
    ['[{"n":"x","v":"1"}]', 'v not a number'],
    ['[{"n":"x","v":1,"t":1e300}]', 'time out of range'],
  ])('rejects %s (%s)', (text) => {
    expect(codeOf(() => decodeSenml(bytes(text), { now }))).toBe(SchemaErrorCode.BadSenml);
  });
});

describe('every decoder', () => {
  it.each(DECODER_NAMES)('%s throws nothing but SchemaError for arbitrary bytes', (name) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (input) => {
        const code = codeOf(() => DECODERS[name](input));
        return code === undefined || Object.values<string>(SchemaErrorCode).includes(code);
      }),
      { numRuns: 2000 },
    );
  });

  it.each(DECODER_NAMES)('%s throws nothing but SchemaError for arbitrary JSON', (name) => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 5 }), (text) => {
        const code = codeOf(() => DECODERS[name](bytes(text)));
        return code === undefined || Object.values<string>(SchemaErrorCode).includes(code);
      }),
      { numRuns: 2000 },
    );
  });
});
