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

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Epoch milliseconds or an RFC 3339 string. */
export function parseTimestamp(raw: unknown, field: string): Date {
  const date = typeof raw === 'number' ? new Date(raw) : typeof raw === 'string' ? new Date(raw) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw new SchemaError(
      SchemaErrorCode.BadTimestamp,
      `field "${field}" must be epoch milliseconds or an RFC 3339 timestamp`,
    );
  }
  return date;
}
