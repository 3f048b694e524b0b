import { SchemaError, SchemaErrorCode } from '../errors';

/** The SchemaError code `fn` throws, undefined when it returns, or a marker for any other throw. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof SchemaError ? error.code : `not a SchemaError: ${String(error)}`;
  }
}

/** True when `fn` returns or throws a typed decode error: the property every decoder must keep. */
export function isValueOrSchemaError(fn: () => unknown): boolean {
  const code = codeOf(fn);
  return code === undefined || Object.values<string>(SchemaErrorCode).includes(code);
}
