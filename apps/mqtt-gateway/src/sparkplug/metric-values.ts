import { type NativeValue } from '@fieldlink/gateway-core';
import { type SpbMetric, type SpbPropertySet, type SpbPropertyValue, type SpbScalar, type SpbTemplate } from './codec';
import { DataType, dataTypeName } from './datatypes';

/** A metric value that does not fit its datatype, or a datatype the gateway cannot read or write. */
export class MetricValueError extends Error {}

/** Elements one array or DataSet may expand into: 256 KiB of packed booleans would be two million metrics. */
export const MAX_ELEMENTS = 10_000;

const INT_BITS: Partial<Record<number, { bits: number; signed: boolean }>> = {
  [DataType.Int8]: { bits: 8, signed: true },
  [DataType.Int16]: { bits: 16, signed: true },
  [DataType.Int32]: { bits: 32, signed: true },
  [DataType.Int64]: { bits: 64, signed: true },
  [DataType.UInt8]: { bits: 8, signed: false },
  [DataType.UInt16]: { bits: 16, signed: false },
  [DataType.UInt32]: { bits: 32, signed: false },
  [DataType.UInt64]: { bits: 64, signed: false },
};

/** Little-endian element readers for the packed arrays of Sparkplug 3.0 (6.4.17). */
const ARRAYS: Partial<Record<number, { size: number; read: (view: DataView, at: number) => NativeValue }>> = {
  [DataType.Int8Array]: { size: 1, read: (v, at) => v.getInt8(at) },
  [DataType.Int16Array]: { size: 2, read: (v, at) => v.getInt16(at, true) },
  [DataType.Int32Array]: { size: 4, read: (v, at) => v.getInt32(at, true) },
  [DataType.Int64Array]: { size: 8, read: (v, at) => v.getBigInt64(at, true) },
  [DataType.UInt8Array]: { size: 1, read: (v, at) => v.getUint8(at) },
  [DataType.UInt16Array]: { size: 2, read: (v, at) => v.getUint16(at, true) },
  [DataType.UInt32Array]: { size: 4, read: (v, at) => v.getUint32(at, true) },
  [DataType.UInt64Array]: { size: 8, read: (v, at) => v.getBigUint64(at, true) },
  [DataType.FloatArray]: { size: 4, read: (v, at) => shortestFloat32(v.getFloat32(at, true)) },
  [DataType.DoubleArray]: { size: 8, read: (v, at) => v.getFloat64(at, true) },
  [DataType.DateTimeArray]: { size: 8, read: (v, at) => new Date(Number(v.getBigInt64(at, true))) },
};

/**
 * A metric's value as a native value, read by its datatype; `null` for `is_null`. The envelope's
 * rules then apply (toReading): 64-bit integers beyond ±(2^53-1) become decimal strings, bytes
 * base64, arrays `name[i]`, DataSets `name[row].column`, Templates `name.member`.
 */
export function metricValue(metric: SpbMetric, datatype: number): NativeValue {
  if (metric.is_null) return null;
  const what = `a ${dataTypeName(datatype)} metric`;
  const int = INT_BITS[datatype];
  if (int) return integer(scalarInteger(metric, what), int.bits, int.signed, what);
  const array = ARRAYS[datatype];
  if (array) return packedArray(bytes(metric, what), array.size, array.read, what);
  switch (datatype) {
    case DataType.Float:
      return shortestFloat32(present(metric.float_value ?? metric.double_value, what));
    case DataType.Double:
      return present(metric.double_value ?? metric.float_value, what);
    case DataType.Boolean:
      return present(metric.boolean_value, what);
    case DataType.String:
    case DataType.Text:
    case DataType.UUID:
      return present(metric.string_value, what);
    case DataType.DateTime:
      return new Date(Number(scalarInteger(metric, what)));
    case DataType.Bytes:
    case DataType.File:
      return bytes(metric, what);
    case DataType.BooleanArray:
      return booleanArray(bytes(metric, what));
    case DataType.StringArray:
      return stringArray(bytes(metric, what));
    case DataType.DataSet:
      return dataSet(metric);
    case DataType.Template:
      return template(present(metric.template_value, what));
    case DataType.PropertySet:
      return propertySet(metric.properties);
    default:
      throw new MetricValueError(`${what} cannot be read`);
  }
}

/** The metric's unit: the `engUnit` or `Units` property of its birth certificate. */
export function metricUnit(properties: SpbPropertySet | undefined): string | undefined {
  const keys = properties?.keys ?? [];
  const at = keys.findIndex((k) => k === 'engUnit' || k === 'Units' || k === 'engUnits');
  const unit = at >= 0 ? properties?.values?.[at]?.string_value : undefined;
  return unit ? unit : undefined;
}

/** The value fields of a metric to write (a command), checked against its datatype. */
export function encodeValue(datatype: number, value: unknown, name: string): Partial<SpbMetric> {
  const bad = (why: string) => new MetricValueError(`metric "${name}" is ${dataTypeName(datatype)}: ${why}`);
  const int = INT_BITS[datatype];
  if (int) {
    const n = toBigInt(value);
    if (n === undefined) throw bad(`${JSON.stringify(value)} is not an integer`);
    const [min, max] = int.signed ? [-(1n << BigInt(int.bits - 1)), (1n << BigInt(int.bits - 1)) - 1n] : [0n, (1n << BigInt(int.bits)) - 1n];
    if (n < min || n > max) throw bad(`${n} is outside ${min}..${max}`);
    // Two's complement in the type's own width (Int8 -3 as 253): readers that mask to the width (Tahu)
    // and readers that check the range (pysparkplug) both take it; a 32-bit sign extension only the former.
    return int.bits === 64 ? { long_value: BigInt.asUintN(64, n).toString() } : { int_value: Number(BigInt.asUintN(int.bits, n)) };
  }
  switch (datatype) {
    case DataType.Float:
    case DataType.Double:
      if (typeof value !== 'number' || !Number.isFinite(value)) throw bad(`${JSON.stringify(value)} is not a finite number`);
      if (datatype === DataType.Float && Math.abs(value) > 3.4028234663852886e38) throw bad(`${value} does not fit a 32-bit float`);
      return datatype === DataType.Float ? { float_value: value } : { double_value: value };
    case DataType.Boolean:
      if (typeof value !== 'boolean') throw bad(`${JSON.stringify(value)} is not true or false`);
      return { boolean_value: value };
    case DataType.String:
    case DataType.Text:
    case DataType.UUID:
      if (typeof value !== 'string') throw bad(`${JSON.stringify(value)} is not a string`);
      return { string_value: value };
    case DataType.DateTime: {
      const ms = typeof value === 'string' ? Date.parse(value) : typeof value === 'number' ? value : NaN;
      if (!Number.isInteger(ms) || ms < 0) throw bad(`${JSON.stringify(value)} is not an RFC 3339 time or epoch milliseconds`);
      return { long_value: String(ms) };
    }
    case DataType.Bytes:
      if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw bad('give the bytes as a base64 string');
      return { bytes_value: Buffer.from(value, 'base64') };
    default:
      throw bad('the gateway does not write this datatype');
  }
}

function toBigInt(value: unknown): bigint | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  return undefined;
}

/**
 * Implementations put an integer in int_value or long_value, in its own width or sign-extended
 * to 32 or 64 bits (Int8 -3 as 253, 4294967293 or 18446744073709551613). Anything else does not
 * fit the type (a UInt8 of 300) and is refused, never wrapped.
 */
function integer(raw: bigint, bits: number, signed: boolean, what: string): number | bigint {
  const width = 1n << BigInt(bits);
  const extended = signed && [32n, 64n].some((w) => w > BigInt(bits) && raw >= (1n << w) - width / 2n && raw < 1n << w);
  if (raw >= width && !extended) throw new MetricValueError(`${what} has the value ${raw}, which does not fit ${bits} bits`);
  const value = signed ? BigInt.asIntN(bits, raw) : raw;
  return bits === 64 ? value : Number(value);
}

/** A Float as the shortest decimal that is the same 32-bit float (0.1, not 0.10000000149011612). */
function shortestFloat32(value: number): number {
  if (!Number.isFinite(value)) return value;
  for (let digits = 1; digits < 9; digits++) {
    const shorter = Number(value.toPrecision(digits));
    if (Math.fround(shorter) === value) return shorter;
  }
  return value;
}

function scalarInteger(metric: SpbScalar, what: string): bigint {
  if (metric.int_value !== undefined) return BigInt(metric.int_value);
  if (metric.long_value !== undefined) return BigInt(metric.long_value);
  throw new MetricValueError(`${what} has no integer value`);
}

function present<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new MetricValueError(`${what} has no value of its type`);
  return value;
}

function bytes(metric: SpbMetric, what: string): Uint8Array {
  return present(metric.bytes_value, what);
}

function packedArray(data: Uint8Array, size: number, read: (view: DataView, at: number) => NativeValue, what: string): NativeValue[] {
  if (data.length % size !== 0) throw new MetricValueError(`${what} has ${data.length} bytes, not a multiple of ${size}`);
  if (data.length / size > MAX_ELEMENTS) throw new MetricValueError(`${what} has ${data.length / size} elements, more than ${MAX_ELEMENTS}`);
  const view = new DataView(data.buffer, data.byteOffset, data.length);
  return Array.from({ length: data.length / size }, (_, i) => read(view, i * size));
}

/** A 4-byte little-endian count, then the bits, most significant first. */
function booleanArray(data: Uint8Array): boolean[] {
  if (data.length < 4) throw new MetricValueError('a BooleanArray metric has no count');
  const count = new DataView(data.buffer, data.byteOffset, 4).getUint32(0, true);
  if (Math.ceil(count / 8) > data.length - 4) throw new MetricValueError(`a BooleanArray metric counts ${count} values in ${data.length - 4} bytes`);
  if (count > MAX_ELEMENTS) throw new MetricValueError(`a BooleanArray metric has ${count} elements, more than ${MAX_ELEMENTS}`);
  return Array.from({ length: count }, (_, i) => ((data[4 + (i >> 3)] ?? 0) & (0x80 >> (i & 7))) !== 0);
}

/** UTF-8 strings, each ended by a NUL. */
function stringArray(data: Uint8Array): string[] {
  const text = Buffer.from(data).toString('utf8');
  if (text.length > 0 && !text.endsWith('\0')) throw new MetricValueError('a StringArray metric does not end with NUL');
  const strings = text.length === 0 ? [] : text.slice(0, -1).split('\0');
  if (strings.length > MAX_ELEMENTS) throw new MetricValueError(`a StringArray metric has ${strings.length} elements, more than ${MAX_ELEMENTS}`);
  return strings;
}

function dataSet(metric: SpbMetric): NativeValue[] {
  const set = present(metric.dataset_value, 'a DataSet metric');
  const columns = set.columns ?? [];
  const rows = set.rows ?? [];
  if (rows.length * columns.length > MAX_ELEMENTS) throw new MetricValueError(`a DataSet metric has ${rows.length} rows of ${columns.length} columns, more than ${MAX_ELEMENTS} values`);
  return rows.map((row, r) =>
    Object.fromEntries(
      columns.map((column, c) => {
        const element = row.elements?.[c];
        if (!element) throw new MetricValueError(`DataSet row ${r} has no value for column "${column}"`);
        return [column, metricValue(element, set.types?.[c] ?? 0)];
      }),
    ),
  );
}

/** An instance's member metrics by name; a definition (in a birth) carries no values. */
function template(value: SpbTemplate): NativeValue {
  if (value.is_definition) return null;
  return Object.fromEntries((value.metrics ?? []).map((m, i) => [m.name ?? `[${i}]`, metricValue(m, m.datatype ?? 0)]));
}

function propertySet(set: SpbPropertySet | undefined): NativeValue {
  const values = set?.values ?? [];
  return Object.fromEntries((set?.keys ?? []).map((key, i) => [key, propertyValue(values[i])]));
}

function propertyValue(value: SpbPropertyValue | undefined): NativeValue {
  if (!value || value.is_null) return null;
  if (value.propertyset_value) return propertySet(value.propertyset_value);
  if (value.propertysets_value) return (value.propertysets_value.propertyset ?? []).map(propertySet);
  return metricValue(value, value.type ?? 0);
}
