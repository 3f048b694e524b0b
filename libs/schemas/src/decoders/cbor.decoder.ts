import { Decoder } from 'cbor-x';
import { SchemaError, SchemaErrorCode } from '../errors';
import { metricsFromObject } from './json-metrics.decoder';
import { type PayloadDecoder } from './reading';
import { readingsFromPack } from './senml.decoder';
import { isPlainObject, parseJson } from './text';

// Maps stay Map instances: cbor-x would otherwise assign keys such as "__proto__" onto
// plain objects. Records (cbor-x's own tag extension) are off: devices send plain CBOR.
const cbor = new Decoder({ mapsAsObjects: false, useRecords: false });

/** RFC 8428 §6 Table 4: SenML's integer CBOR labels and their JSON names. */
const SENML_LABELS = new Map<number, string>([
  [-1, 'bver'], [-2, 'bn'], [-3, 'bt'], [-4, 'bu'], [-5, 'bv'], [-6, 'bs'],
  [0, 'n'], [1, 'u'], [2, 'v'], [3, 'vs'], [4, 'vb'], [5, 's'], [6, 't'], [7, 'ut'], [8, 'vd'],
]);

/** One CBOR data item (RFC 8949), the whole payload and nothing after it. */
export function parseCbor(bytes: Uint8Array): unknown {
  if (bytes.length === 0) throw new SchemaError(SchemaErrorCode.InvalidCbor, 'payload is empty, not CBOR');
  let items: unknown[];
  try {
    items = cbor.decodeMultiple(bytes) as unknown[];
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new SchemaError(SchemaErrorCode.InvalidCbor, `payload is not valid CBOR: ${detail}`, { cause });
  }
  if (items.length !== 1) throw new SchemaError(SchemaErrorCode.InvalidCbor, `payload holds ${items.length} CBOR data items, not one`);
  return items[0];
}

/** A map with text keys as a plain object; nested maps too. Other keys are refused. */
function textKeyed(value: unknown, path: string): unknown {
  if (Array.isArray(value)) return value.map((v, i) => textKeyed(v, `${path}[${i}]`));
  if (!(value instanceof Map)) return value;
  // fromEntries defines own properties, so a "__proto__" key stays a plain key.
  return Object.fromEntries(
    [...value.entries()].map(([key, inner]) => {
      if (typeof key !== 'string') throw new SchemaError(SchemaErrorCode.UnsupportedValue, `CBOR map key ${String(key)} at ${path || 'the top'} is not text`);
      return [key, textKeyed(inner, path ? `${path}.${key}` : key)];
    }),
  );
}

/** The deviceId a JSON or CBOR body names in `field`, e.g. {"device_id": "pump-7", ...}; undefined when it names none. */
export function deviceIdFromBody(decoder: 'json' | 'cbor', bytes: Uint8Array, field: string): string | undefined {
  const body = decoder === 'json' ? parseJson(bytes) : textKeyed(parseCbor(bytes), '');
  if (!isPlainObject(body) || !Object.hasOwn(body, field)) return undefined;
  const id = body[field];
  return (typeof id === 'string' && id !== '') || (typeof id === 'number' && Number.isSafeInteger(id)) ? String(id) : undefined;
}

/** A CBOR map of metrics (Content-Format 60), read as the JSON decoder reads a JSON object. */
export const decodeCborMetrics: PayloadDecoder = (bytes, options = {}) => metricsFromObject(textKeyed(parseCbor(bytes), ''), 'CBOR', options);

/** SenML CBOR (RFC 8428 §6, Content-Format 112): integer labels, as RFC 8428 Table 4 lists them. */
export const decodeSenmlCbor: PayloadDecoder = (bytes, options = {}) => {
  const pack = parseCbor(bytes);
  if (!Array.isArray(pack)) throw new SchemaError(SchemaErrorCode.BadSenml, 'a SenML pack must be a non-empty array (RFC 8428 §4.1)');
  return readingsFromPack(
    pack.map((record: unknown, index) => {
      if (!(record instanceof Map)) throw new SchemaError(SchemaErrorCode.BadSenml, `record ${index} is not a map`);
      return Object.fromEntries(
        [...record.entries()].map(([label, value]) => {
          const name = typeof label === 'number' ? SENML_LABELS.get(label) : typeof label === 'string' ? label : undefined;
          if (name === undefined) throw new SchemaError(SchemaErrorCode.BadSenml, `record ${index} has unknown label ${String(label)} (RFC 8428 §6)`);
          return [name, value];
        }),
      );
    }),
    options,
  );
};
