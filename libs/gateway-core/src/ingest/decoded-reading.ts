import { type MetricValue, type Reading, SchemaError, SchemaErrorCode } from '@fieldlink/schemas';

/** A value as a protocol library hands it over: an OPC UA Variant's value, a DDS sample field. */
export type NativeValue = number | bigint | string | boolean | Date | Uint8Array | null | undefined | readonly NativeValue[] | { readonly [field: string]: NativeValue };

export interface DecodedValue {
  value: NativeValue;
  unit?: string;
  /** The OPC UA StatusCode (0 = Good), or another protocol's quality in the same sense. */
  quality?: number;
}

/** One reading an adapter has already decoded: typed values sharing a source time. */
export interface DecodedReading {
  values: Record<string, DecodedValue>;
  /** The source timestamp; it becomes the envelope's eventTime (the receive time when absent). */
  sourceTime?: Date;
  /** The OPC UA ServerTimestamp, or another intermediary's stamp; it becomes serverTime. */
  serverTime?: Date;
}

const MAX_DEPTH = 8;

/**
 * Turns native values into envelope metrics, by one documented rule: an integer beyond
 * ±(2^53-1) becomes an exact decimal string, never a rounded number; an array becomes one
 * metric per element, `name[i]`; a structure one per field, `name.field`; a date an RFC 3339
 * string; bytes base64; a non-finite float the string NaN, Infinity or -Infinity; null and
 * undefined no metric. Unit and quality apply to every metric a value expands into.
 */
export function toReading(decoded: DecodedReading): Reading {
  const values: Record<string, MetricValue> = {};
  let count = 0;
  for (const name of Object.keys(decoded.values)) {
    const { value, unit, quality } = decoded.values[name];
    flatten(name, value, 0, (metric, scalar) => {
      const metricValue: MetricValue = { value: scalar };
      if (unit !== undefined) metricValue.unit = unit;
      if (quality !== undefined) metricValue.quality = quality;
      // Assigned, which keeps the object fast, except a metric named __proto__: assigning that
      // would set the prototype. Defining every metric cost 4% of the DDS gateway's main thread.
      if (metric === '__proto__') Object.defineProperty(values, metric, { value: metricValue, enumerable: true, writable: true, configurable: true });
      else values[metric] = metricValue;
      count++;
    });
  }
  if (count === 0) throw new SchemaError(SchemaErrorCode.NoMetrics, 'reading has no values');
  return {
    values,
    ...(decoded.sourceTime ? { eventTime: checkedDate(decoded.sourceTime, 'source time') } : {}),
    ...(decoded.serverTime ? { serverTime: checkedDate(decoded.serverTime, 'server time') } : {}),
  };
}

function flatten(name: string, value: NativeValue, depth: number, emit: (metric: string, scalar: MetricValue['value']) => void): void {
  if (value === null || value === undefined) return;
  if (depth > MAX_DEPTH) throw new SchemaError(SchemaErrorCode.UnsupportedValue, `value "${name}" nests deeper than ${MAX_DEPTH} levels`);
  if (typeof value === 'bigint') emit(name, Number.isSafeInteger(Number(value)) ? Number(value) : value.toString());
  else if (typeof value === 'number') emit(name, Number.isFinite(value) ? value : String(value));
  else if (typeof value === 'string' || typeof value === 'boolean') emit(name, value);
  else if (value instanceof Date) emit(name, checkedDate(value, `value "${name}"`).toISOString());
  else if (value instanceof Uint8Array) emit(name, Buffer.from(value).toString('base64'));
  else if (Array.isArray(value)) (value as readonly NativeValue[]).forEach((item, i) => flatten(`${name}[${i}]`, item, depth + 1, emit));
  else for (const [field, item] of Object.entries(value)) flatten(`${name}.${field}`, item, depth + 1, emit);
}

function checkedDate(date: Date, what: string): Date {
  if (Number.isNaN(date.getTime())) throw new SchemaError(SchemaErrorCode.BadTimestamp, `${what} is not a valid date`);
  return date;
}

/** The readings as JSON, for a dead-letter record's raw bytes (bigints as decimal strings). */
export function readingsAsBytes(readings: DecodedReading[]): Buffer {
  return Buffer.from(JSON.stringify(readings, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
}
