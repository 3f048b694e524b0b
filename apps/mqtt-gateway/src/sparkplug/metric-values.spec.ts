import { DataType } from './datatypes';
import { MAX_ELEMENTS, MetricValueError, encodeValue, metricUnit, metricValue } from './metric-values';

describe('Sparkplug metric values', () => {
  it.each([
    [DataType.Int8, { int_value: 253 }, -3],
    [DataType.Int8, { int_value: 4294967293 }, -3],
    [DataType.Int16, { int_value: 4294967209 }, -87],
    [DataType.Int32, { int_value: 4294967295 }, -1],
    [DataType.UInt32, { long_value: '4294967295' }, 4294967295],
    [DataType.Int64, { long_value: '18446744073709551615' }, -1n],
    [DataType.UInt64, { long_value: '18446744073709551615' }, 18446744073709551615n],
    [DataType.Float, { float_value: 1.5 }, 1.5],
    [DataType.Boolean, { boolean_value: false }, false],
    [DataType.UUID, { string_value: 'u' }, 'u'],
    [DataType.DateTime, { long_value: '1700000000000' }, new Date(1_700_000_000_000)],
  ])('reads datatype %i %j as %p (integers sign-extended to 32 bits or not)', (datatype, fields, expected) => {
    expect(metricValue(fields, datatype)).toEqual(expected);
  });

  it('refuses an integer that fits neither its width nor a sign extension of it, instead of wrapping it', () => {
    expect(() => metricValue({ int_value: 300 }, DataType.UInt8)).toThrow(MetricValueError);
    expect(() => metricValue({ int_value: 70000 }, DataType.Int16)).toThrow(MetricValueError);
    expect(metricValue({ long_value: '18446744073709551613' }, DataType.Int8)).toBe(-3);
    expect(() => metricValue({ int_value: 4294967293 }, DataType.UInt8)).toThrow(MetricValueError);
  });

  it('reads a Float as the shortest decimal of the same 32-bit float', () => {
    expect(metricValue({ float_value: Math.fround(0.1) }, DataType.Float)).toBe(0.1);
    expect(metricValue({ bytes_value: Buffer.from(new Float32Array([0.3]).buffer) }, DataType.FloatArray)).toEqual([0.3]);
  });

  it('refuses an array or DataSet that would expand into more than MAX_ELEMENTS metrics', () => {
    const count = Buffer.alloc(4);
    count.writeUInt32LE(MAX_ELEMENTS + 1);
    expect(() => metricValue({ bytes_value: Buffer.concat([count, Buffer.alloc(Math.ceil((MAX_ELEMENTS + 1) / 8))]) }, DataType.BooleanArray)).toThrow(MetricValueError);
    expect(() => metricValue({ bytes_value: Buffer.alloc(MAX_ELEMENTS + 1) }, DataType.UInt8Array)).toThrow(MetricValueError);
    expect(() => metricValue({ bytes_value: Buffer.alloc(MAX_ELEMENTS + 1) }, DataType.StringArray)).toThrow(MetricValueError);
  });

  it('reads the packed arrays of Sparkplug 3.0', () => {
    expect(metricValue({ bytes_value: Buffer.from([0xff, 0x01]) }, DataType.Int8Array)).toEqual([-1, 1]);
    expect(metricValue({ bytes_value: Buffer.from([0, 0, 0xc0, 0x3f]) }, DataType.FloatArray)).toEqual([1.5]);
    expect(metricValue({ bytes_value: Buffer.from([3, 0, 0, 0, 0b1010_0000]) }, DataType.BooleanArray)).toEqual([true, false, true]);
    expect(metricValue({ bytes_value: Buffer.from('ab\0c\0') }, DataType.StringArray)).toEqual(['ab', 'c']);
    expect(() => metricValue({ bytes_value: Buffer.from([1, 2, 3]) }, DataType.Int16Array)).toThrow(MetricValueError);
    expect(() => metricValue({ bytes_value: Buffer.from([9, 0, 0, 0, 1]) }, DataType.BooleanArray)).toThrow(MetricValueError);
  });

  it('reads a DataSet as rows of columns, and a Template instance as its members', () => {
    const dataset_value = { columns: ['a', 'b'], types: [DataType.Int32, DataType.String], rows: [{ elements: [{ int_value: 1 }, { string_value: 'x' }] }] };
    expect(metricValue({ dataset_value }, DataType.DataSet)).toEqual([{ a: 1, b: 'x' }]);
    const template_value = { metrics: [{ name: 'speed', datatype: DataType.Double, double_value: 2 }] };
    expect(metricValue({ template_value }, DataType.Template)).toEqual({ speed: 2 });
    expect(metricValue({ template_value: { ...template_value, is_definition: true } }, DataType.Template)).toBeNull();
  });

  it('reads is_null as no value, and refuses a value missing for its type', () => {
    expect(metricValue({ is_null: true }, DataType.Double)).toBeNull();
    expect(() => metricValue({ string_value: '1' }, DataType.Double)).toThrow(MetricValueError);
    expect(() => metricValue({ int_value: 1 }, 99)).toThrow(MetricValueError);
  });

  it('takes the unit from engUnit or Units', () => {
    expect(metricUnit({ keys: ['Units'], values: [{ type: DataType.String, string_value: 'degC' }] })).toBe('degC');
    expect(metricUnit(undefined)).toBeUndefined();
  });

  it('writes integers in their own width, and refuses what does not fit', () => {
    expect(encodeValue(DataType.Int8, -3, 'x')).toEqual({ int_value: 253 });
    expect(encodeValue(DataType.Int32, -1, 'x')).toEqual({ int_value: 4294967295 });
    expect(encodeValue(DataType.Int64, '-1', 'x')).toEqual({ long_value: '18446744073709551615' });
    expect(() => encodeValue(DataType.Int8, 128, 'x')).toThrow('outside -128..127');
    expect(() => encodeValue(DataType.UInt16, -1, 'x')).toThrow(MetricValueError);
    expect(() => encodeValue(DataType.Int32, 1.5, 'x')).toThrow(MetricValueError);
    expect(() => encodeValue(DataType.Boolean, 'true', 'x')).toThrow(MetricValueError);
    expect(() => encodeValue(DataType.Float, 1e39, 'x')).toThrow(MetricValueError);
    expect(() => encodeValue(DataType.DataSet, [], 'x')).toThrow(MetricValueError);
    expect(encodeValue(DataType.DateTime, '2026-01-01T00:00:00Z', 'x')).toEqual({ long_value: '1767225600000' });
  });
});
