import { SchemaError, SchemaErrorCode } from '../errors';
import { type PayloadDecoder } from './reading';
import { decodeUtf8 } from './text';

// Stricter than Number(): rejects '', '0x10', 'Infinity' and other surprises.
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** A plain number as text, e.g. `21.5`. */
export const decodePlainNumber: PayloadDecoder = (bytes, options = {}) => {
  const text = decodeUtf8(bytes).trim();
  const value = Number(text);
  if (!NUMBER.test(text) || !Number.isFinite(value)) {
    throw new SchemaError(SchemaErrorCode.NotANumber, 'payload is not a plain number');
  }
  return [{ values: { [options.metric ?? 'value']: { value } } }];
};
