import { type MetricValue } from '../envelope.schema';
import { SchemaError, SchemaErrorCode } from '../errors';
import { type DecodeOptions, type PayloadDecoder, type Reading } from './reading';
import { isPlainObject, parseJson, parseTimestamp } from './text';

const MAX_DEPTH = 4;

/**
 * A JSON object of metrics: `{"temperature": 21.5, "ts": 1732300000000}`.
 * A metric may also be `{"value": 21.5, "unit": "Cel"}`; other nested objects
 * are flattened with dots (`{"motor": {"rpm": 1}}` gives `motor.rpm`).
 */
export const decodeJsonMetrics: PayloadDecoder = (bytes, options = {}) => metricsFromObject(parseJson(bytes), 'JSON', options);

/** The metrics of a decoded JSON or CBOR object, with its event time if it carries one. */
export function metricsFromObject(body: unknown, format: string, options: DecodeOptions = {}): Reading[] {
  const timestampField = options.timestampField ?? 'ts';
  if (!isPlainObject(body)) {
    throw new SchemaError(SchemaErrorCode.NotAnObject, `payload must be a ${format} object of metrics`);
  }
  const values: Record<string, MetricValue> = {};
  const eventTime = Object.hasOwn(body, timestampField) ? parseTimestamp(body[timestampField], timestampField, options.timestampUnit) : undefined;
  const { valuesField } = options;
  const metrics = valuesField === undefined ? body : Object.hasOwn(body, valuesField) ? body[valuesField] : undefined;
  if (!isPlainObject(metrics)) {
    throw new SchemaError(SchemaErrorCode.NotAnObject, `field "${valuesField ?? ''}" must be a ${format} object of metrics`);
  }
  for (const [key, value] of Object.entries(metrics)) {
    const topLevelMeta = metrics === body && (key === timestampField || key === options.deviceIdField);
    if (!topLevelMeta) collect(values, key, value, 1);
  }
  if (Object.keys(values).length === 0) {
    throw new SchemaError(SchemaErrorCode.NoMetrics, 'payload holds no metric values');
  }
  return [eventTime ? { values, eventTime } : { values }];
}

function collect(into: Record<string, MetricValue>, name: string, raw: unknown, depth: number): void {
  if (raw === null) return;
  if (typeof raw === 'number' || typeof raw === 'string' || typeof raw === 'boolean') {
    setMetric(into, name, { value: raw });
    return;
  }
  if (isPlainObject(raw) && depth < MAX_DEPTH) {
    if (isUnitValue(raw)) {
      setMetric(into, name, raw.unit === undefined ? { value: raw.value } : { value: raw.value, unit: raw.unit });
      return;
    }
    for (const [key, inner] of Object.entries(raw)) collect(into, `${name}.${key}`, inner, depth + 1);
    return;
  }
  throw new SchemaError(
    SchemaErrorCode.UnsupportedValue,
    `metric "${name}" must be a number, string, boolean or object of those`,
  );
}

/**
 * A metric named "__proto__" is defined, never assigned: assigning would replace the object's
 * prototype. Every other name is assigned, as defining each one cost about 2% of the MQTT gateway's CPU.
 */
function setMetric(into: Record<string, MetricValue>, name: string, value: MetricValue): void {
  if (name === '__proto__') Object.defineProperty(into, name, { value, enumerable: true, writable: true, configurable: true });
  else into[name] = value;
}

function isUnitValue(raw: Record<string, unknown>): raw is { value: number | string | boolean; unit?: string } {
  const keys = Object.keys(raw);
  const valueOk = ['number', 'string', 'boolean'].includes(typeof raw['value']);
  const unitOk = raw['unit'] === undefined || typeof raw['unit'] === 'string';
  return valueOk && unitOk && keys.every((k) => k === 'value' || k === 'unit');
}
