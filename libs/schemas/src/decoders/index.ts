import { SchemaError, SchemaErrorCode } from '../errors';
import { decodeCborMetrics, decodeSenmlCbor } from './cbor.decoder';
import { decodeJsonMetrics } from './json-metrics.decoder';
import { decodePlainNumber } from './number.decoder';
import { type DecodeOptions, type PayloadDecoder, type Reading } from './reading';
import { decodeSenml } from './senml.decoder';
import { decodeTextPlain } from './text-plain.decoder';

export { type DecodeOptions, type PayloadDecoder, type Reading } from './reading';
export { decodeUtf8, isPlainObject, parseJson, type TimestampUnit } from './text';
export { deviceIdFromBody, parseCbor } from './cbor.decoder';
export { decodeCborMetrics, decodeJsonMetrics, decodePlainNumber, decodeSenml, decodeSenmlCbor, decodeTextPlain };

export const DECODERS = {
  json: decodeJsonMetrics,
  senml: decodeSenml,
  number: decodePlainNumber,
  cbor: decodeCborMetrics,
  'senml-cbor': decodeSenmlCbor,
  text: decodeTextPlain,
} as const satisfies Record<string, PayloadDecoder>;
export type DecoderName = keyof typeof DECODERS;
export const DECODER_NAMES = Object.keys(DECODERS) as DecoderName[];

/**
 * Decodes with the named decoder. Anything wrong with the bytes surfaces as a
 * SchemaError; any other exception is a bug and is wrapped so callers still get
 * a typed, dead-letterable error.
 */
export function decodePayload(name: DecoderName, bytes: Uint8Array, options?: DecodeOptions): Reading[] {
  try {
    return DECODERS[name](bytes, options);
  } catch (error) {
    if (error instanceof SchemaError) throw error;
    throw new SchemaError(SchemaErrorCode.UnsupportedValue, `decoder "${name}" failed unexpectedly`, { cause: error });
  }
}
