import { SchemaError, SchemaErrorCode } from '../errors';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch (cause) {
    throw new SchemaError(SchemaErrorCode.InvalidUtf8, 'payload is not valid UTF-8', { cause });
  }
}

export function parseJson(bytes: Uint8Array): unknown {
  const text = decodeUtf8(bytes);
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new SchemaError(SchemaErrorCode.InvalidJson, `payload is not valid JSON: ${detail}`, { cause });
  }
}

/** An object literal (from JSON or a CBOR map), not an array, byte string, date or other class. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

export type TimestampUnit = 's' | 'ms' | 'auto';

// auto: a number below this is seconds. 1e11 s is the year 5138, 1e11 ms is March 1973.
const AUTO_SECONDS_BELOW = 1e11;

/**
 * Epoch seconds (integer or fractional), epoch milliseconds, an RFC 3339 string, or a CBOR
 * date (tag 0 or 1). A number is read in `unit`; `auto` takes it as seconds below 1e11.
 */
export function parseTimestamp(raw: unknown, field: string, unit: TimestampUnit = 'ms'): Date {
  const date = raw instanceof Date ? raw : typeof raw === 'number' ? new Date(epochMs(raw, unit)) : typeof raw === 'string' ? new Date(raw) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw new SchemaError(
      SchemaErrorCode.BadTimestamp,
      `field "${field}" must be epoch ${unit === 'ms' ? 'milliseconds' : unit === 's' ? 'seconds' : 'seconds or milliseconds'} or an RFC 3339 timestamp`,
    );
  }
  return date;
}

function epochMs(value: number, unit: TimestampUnit): number {
  const seconds = unit === 's' || (unit === 'auto' && Math.abs(value) < AUTO_SECONDS_BELOW);
  // Rounded to the millisecond: time.time() gives 1732300000.123456.
  return seconds ? Math.round(value * 1000) : value;
}
