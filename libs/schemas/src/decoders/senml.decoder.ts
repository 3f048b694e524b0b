import { type MetricValue } from '../envelope.schema';
import { SchemaError, SchemaErrorCode } from '../errors';
import { type DecodeOptions, type PayloadDecoder, type Reading } from './reading';
import { isPlainObject, parseJson } from './text';

// RFC 8428 §4.5.1: the resolved name must match this.
const NAME = /^[A-Za-z0-9][-:./A-Za-z0-9_]*$/;
// RFC 8428 §4.5.3: a resolved time below 2**28 is relative to now.
const RELATIVE_LIMIT = 2 ** 28;
// ECMAScript's Date range (ECMA-262 §21.4.1.22).
const MAX_DATE_MS = 8.64e15;

interface Base {
  bn: string;
  bt: number;
  bu: string | undefined;
  bv: number;
}

/** SenML JSON (RFC 8428): one Reading per distinct resolved time. */
export const decodeSenml: PayloadDecoder = (bytes, options = {}) => readingsFromPack(parseJson(bytes), options);

/** The readings of a decoded SenML pack (JSON labels), from either representation. */
export function readingsFromPack(pack: unknown, options: DecodeOptions = {}): Reading[] {
  const now = options.now ?? Date.now;
  if (!Array.isArray(pack) || pack.length === 0) {
    throw bad('a SenML pack must be a non-empty array (RFC 8428 §4.1)');
  }
  const base: Base = { bn: '', bt: 0, bu: undefined, bv: 0 };
  const byTime = new Map<number, Reading>();
  pack.forEach((record: unknown, index) => {
    if (!isPlainObject(record)) throw bad(`record ${index} is not an object`);
    updateBase(base, record, index);
    const name = base.bn + optionalString(record, 'n', index, '');
    if (!NAME.test(name)) throw bad(`record ${index} has invalid name "${name}" (RFC 8428 §4.5.1)`);
    const value = recordValue(record, base, index);
    if (value === undefined) return; // a base-only record carries no value
    let seconds = base.bt + optionalNumber(record, 't', index, 0);
    if (seconds < RELATIVE_LIMIT) seconds += now() / 1000;
    const ms = Math.round(seconds * 1000);
    if (!(Math.abs(ms) <= MAX_DATE_MS)) throw bad(`record ${index} time is out of range`);
    const reading = byTime.get(ms) ?? { values: {}, eventTime: new Date(ms) };
    const unit = optionalString(record, 'u', index, base.bu ?? '');
    reading.values[name] = unit ? { value, unit } : { value };
    byTime.set(ms, reading);
  });
  if (byTime.size === 0) throw new SchemaError(SchemaErrorCode.NoMetrics, 'SenML pack holds no values');
  return [...byTime.values()];
}

function updateBase(base: Base, record: Record<string, unknown>, index: number): void {
  if ('bn' in record) base.bn = optionalString(record, 'bn', index, '');
  if ('bt' in record) base.bt = optionalNumber(record, 'bt', index, 0);
  if ('bu' in record) base.bu = optionalString(record, 'bu', index, '');
  if ('bv' in record) base.bv = optionalNumber(record, 'bv', index, 0);
}

function recordValue(record: Record<string, unknown>, base: Base, index: number): MetricValue['value'] | undefined {
  const present = (['v', 'vs', 'vb', 's'] as const).filter((k) => k in record);
  if (present.length > 1) throw bad(`record ${index} has more than one value field`);
  switch (present[0]) {
    case 'v':
      return base.bv + optionalNumber(record, 'v', index, 0);
    case 's':
      return optionalNumber(record, 's', index, 0);
    case 'vs':
      return optionalString(record, 'vs', index, '');
    case 'vb': {
      const vb = record['vb'];
      if (typeof vb !== 'boolean') throw bad(`record ${index} field "vb" must be a boolean`);
      return vb;
    }
    case undefined:
      return undefined;
  }
}

function optionalString(record: Record<string, unknown>, key: string, index: number, fallback: string): string {
  const raw = record[key];
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string') throw bad(`record ${index} field "${key}" must be a string`);
  return raw;
}

function optionalNumber(record: Record<string, unknown>, key: string, index: number, fallback: number): number {
  const raw = record[key];
  if (raw === undefined) return fallback;
  if (typeof raw !== 'number' || !Number.isFinite(raw)) throw bad(`record ${index} field "${key}" must be a number`);
  return raw;
}

function bad(message: string): SchemaError {
  return new SchemaError(SchemaErrorCode.BadSenml, message);
}
