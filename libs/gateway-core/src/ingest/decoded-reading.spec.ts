import { SchemaError } from '@fieldlink/schemas';
import { type NativeValue, toReading } from './decoded-reading';

const values = (value: NativeValue) => toReading({ values: { v: { value } } }).values;

describe(toReading.name, () => {
  it('keeps integers exact: a safe one as a number, a larger Int64 as a decimal string', () => {
    expect(values(2n ** 53n - 1n)).toEqual({ v: { value: 9007199254740991 } });
    expect(values(-(2n ** 63n))).toEqual({ v: { value: '-9223372036854775808' } });
  });

  it('writes dates as RFC 3339, bytes as base64 and non-finite floats as text', () => {
    expect(values(new Date('2026-01-01T00:00:00.5Z'))).toEqual({ v: { value: '2026-01-01T00:00:00.500Z' } });
    expect(values(Buffer.from([1, 2, 255]))).toEqual({ v: { value: 'AQL/' } });
    expect(values(Number.NaN)).toEqual({ v: { value: 'NaN' } });
    expect(values(-Infinity)).toEqual({ v: { value: '-Infinity' } });
  });

  it('flattens arrays of structures with unit and quality on every part', () => {
    const reading = toReading({ values: { axes: { value: [{ x: 1 }, { x: 2, y: null }], unit: 'm', quality: 0 } } });
    expect(reading.values).toEqual({ 'axes[0].x': { value: 1, unit: 'm', quality: 0 }, 'axes[1].x': { value: 2, unit: 'm', quality: 0 } });
  });

  it('keeps a metric named __proto__ as a metric, not as the prototype', () => {
    const decoded = JSON.parse('{"__proto__": {"value": 1}, "ok": {"value": 2}}') as { [name: string]: { value: NativeValue } };
    const reading = toReading({ values: decoded });
    expect(Object.getPrototypeOf(reading.values)).toBe(Object.prototype);
    expect(Object.keys(reading.values)).toEqual(['__proto__', 'ok']);
    expect(JSON.stringify(reading.values)).toBe('{"__proto__":{"value":1},"ok":{"value":2}}');
  });

  it('refuses what cannot be a reading with a typed error: nothing left, too deep, an invalid time', () => {
    expect(() => values(null)).toThrow(SchemaError);
    let deep: NativeValue = 1;
    for (let i = 0; i < 10; i++) deep = [deep];
    expect(() => values(deep)).toThrow(/deeper than/);
    expect(() => toReading({ values: { v: { value: 1 } }, sourceTime: new Date('nope') })).toThrow(SchemaError);
  });
});
