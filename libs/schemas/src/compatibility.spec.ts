import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { CLOSED_TOPICS } from './compatibility';
import { isDateTime } from './date-time';
import { jsonSchemaFiles } from './json-schema';
import {
  readCommandResult,
  readDeviceRecord,
  readTelemetry,
  validateAlert,
  validateCommand,
  validateCommandResult,
  validateDeadLetter,
  validateDeviceRecord,
  validateDeviceStatus,
  validateTelemetry,
  validateWindowStats,
  type Validator,
} from './validators';

/** libs/schemas/compat/<release>/: a record of each topic from a run of that release, and the schemas it published. */
const COMPAT = join(__dirname, '..', 'compat');
const RELEASES = readdirSync(COMPAT).sort();
const TOPICS = ['telemetry', 'device-status', 'dead-letter', 'alerts', 'window-stats', 'commands', 'command-results', 'devices'];

const STRICT: Record<string, Validator<unknown>> = {
  telemetry: validateTelemetry,
  'device-status': validateDeviceStatus,
  'dead-letter': validateDeadLetter,
  alerts: validateAlert,
  'window-stats': validateWindowStats,
  commands: validateCommand,
  'command-results': validateCommandResult,
  devices: validateDeviceRecord,
};
const READERS: Record<string, Validator<unknown>> = { telemetry: readTelemetry, 'command-results': readCommandResult, devices: readDeviceRecord };

const json = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

/** A consumer's validator of a published schema document: a fresh Ajv, as a consumer would have. */
function consumerValidator(schema: object): (value: unknown) => boolean {
  const ajv = new Ajv({ strict: false });
  ajv.addFormat('date-time', { type: 'string', validate: isDateTime });
  return ajv.compile(schema);
}

/**
 * The record as a later version might write it: a new optional field at the top and in every
 * nested object. Not in `values` itself, a map whose every key is a metric (but in each metric).
 */
function withNewFields(value: unknown, isMap = false): unknown {
  if (Array.isArray(value)) return value.map((v) => withNewFields(v));
  if (!value || typeof value !== 'object') return value;
  const entries = Object.entries(value).map(([k, v]) => [k, withNewFields(v, k === 'values')]);
  return { ...Object.fromEntries(entries), ...(isMap ? {} : { addedLater: 'x' }) };
}

describe.each(RELEASES)('records of release %s', (release) => {
  const dir = join(COMPAT, release);

  it.each(TOPICS)('%s validates against today\'s published schema and today\'s validators, strict and reading', (topic) => {
    const record = json(join(dir, `${topic}.json`));
    const published = JSON.parse(jsonSchemaFiles()[`${topic}.schema.json`] ?? '{}') as object;
    expect(consumerValidator(published)(record)).toBe(true);
    expect(STRICT[topic]?.(record)).toBe(true);
    if (READERS[topic]) expect(READERS[topic]?.(record)).toBe(true);
  });

  it.each(TOPICS.filter((t) => !CLOSED_TOPICS.includes(t)))('%s with fields a later version adds still validates against the schema that release published, today\'s, and today\'s readers', (topic) => {
    const later = withNewFields(json(join(dir, `${topic}.json`)));
    expect(consumerValidator(json(join(dir, `${topic}.schema.json`)))(later)).toBe(true);
    expect(consumerValidator(JSON.parse(jsonSchemaFiles()[`${topic}.schema.json`] ?? '{}') as object)(later)).toBe(true);
    if (READERS[topic]) expect(READERS[topic]?.(later)).toBe(true);
    // Fieldlink's writers stay strict: a field appears only once the schema has it.
    expect(STRICT[topic]?.(later)).toBe(false);
  });

  it('commands stay closed: a command with a field the gateway does not know is refused, by the published schema too', () => {
    const later = withNewFields(json(join(dir, 'commands.json')));
    expect(consumerValidator(json(join(dir, 'commands.schema.json')))(later)).toBe(false);
    expect(validateCommand(later)).toBe(false);
  });
});
