import { type DecoderName } from '@fieldlink/schemas';
import { decodeUint } from '../session/coap-uint';

/** CoAP Content-Format numbers (RFC 7252 §12.3, RFC 8428 §12.2) that have a decoder. */
const FORMATS: { number: number; name: string; decoder: DecoderName }[] = [
  { number: 0, name: 'text/plain', decoder: 'text' },
  { number: 50, name: 'application/json', decoder: 'json' },
  { number: 60, name: 'application/cbor', decoder: 'cbor' },
  { number: 110, name: 'application/senml+json', decoder: 'senml' },
  { number: 112, name: 'application/senml+cbor', decoder: 'senml-cbor' },
];

export const SUPPORTED_FORMATS = FORMATS.map((f) => `${f.number} (${f.name})`);

/** The request's Content-Format, as node-coap leaves it in the raw options: a registered name, or the bytes. */
export type RawContentFormat = string | number | Buffer | undefined;

/** The decoder for a Content-Format; without one a body is read as JSON. Undefined: unsupported. */
export function decoderFor(raw: RawContentFormat): DecoderName | undefined {
  if (raw === undefined) return 'json';
  const format = typeof raw === 'string' ? FORMATS.find((f) => f.name === raw.split(';')[0]) : FORMATS.find((f) => f.number === numeric(raw));
  return format?.decoder;
}

/** The Content-Format number of a supported format, to answer with it. */
export function formatNumber(raw: RawContentFormat): number {
  if (raw === undefined) return 50;
  if (typeof raw === 'string') return FORMATS.find((f) => f.name === raw.split(';')[0])?.number ?? 50;
  return numeric(raw);
}

/** For diagnostics: the format as the device sent it. */
export function describeFormat(raw: RawContentFormat): string {
  return typeof raw === 'string' ? raw : String(numeric(raw ?? 50));
}

/** Content-Format from the raw options of a request. */
export function contentFormatOf(options: readonly { name: string | number; value: unknown }[]): RawContentFormat {
  const option = options.find((o) => o.name === 'Content-Format' || o.name === 12);
  const value = option?.value;
  return typeof value === 'string' || typeof value === 'number' || Buffer.isBuffer(value) ? value : undefined;
}

function numeric(raw: number | Buffer): number {
  if (typeof raw === 'number') return raw;
  return decodeUint(raw);
}
