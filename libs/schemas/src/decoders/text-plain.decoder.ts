import { SchemaError, SchemaErrorCode } from '../errors';
import { type PayloadDecoder } from './reading';
import { decodeUtf8 } from './text';

// As in the number decoder: a plain decimal, not '0x10', 'Infinity' or ''.
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const MAX_TEXT_CHARS = 4096;

/**
 * text/plain (CoAP Content-Format 0): the whole payload is one metric, a number when the text
 * is a plain decimal and the trimmed text otherwise, e.g. `21.5` or `OPEN`.
 */
export const decodeTextPlain: PayloadDecoder = (bytes, options = {}) => {
  const text = decodeUtf8(bytes).trim();
  if (text.length === 0) throw new SchemaError(SchemaErrorCode.NoMetrics, 'text payload is empty');
  if (text.length > MAX_TEXT_CHARS) throw new SchemaError(SchemaErrorCode.UnsupportedValue, `text payload is longer than ${MAX_TEXT_CHARS} characters`);
  const number = Number(text);
  const value = NUMBER.test(text) && Number.isFinite(number) ? number : text;
  return [{ values: { [options.metric ?? 'value']: { value } } }];
};
