import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SchemaError } from './errors';
import { jsonSchemaFiles } from './json-schema';
import { topicMap, topicName } from './topics';
import { validateCommand, validateTelemetry } from './validators';

const telemetry = {
  schemaVersion: 1,
  id: 'a1',
  deviceId: 'dev-1',
  eventTime: '2026-01-01T00:00:00.000Z',
  receiveTime: '2026-01-01T00:00:00.010Z',
  source: { protocol: 'mqtt', gateway: 'gw-1', ref: 'sensors/dev-1/data' },
  values: { temperature: { value: 21.5, unit: 'Cel' } },
};

describe('validateTelemetry', () => {
  it('accepts a well-formed envelope', () => {
    expect(validateTelemetry(telemetry)).toBe(true);
  });

  it.each([
    ['no values', { ...telemetry, values: {} }],
    ['bad time', { ...telemetry, eventTime: 'yesterday' }],
    ['a date without a time', { ...telemetry, eventTime: '2026-01-01' }],
    ['an impossible month', { ...telemetry, eventTime: '2026-13-01T00:00:00Z' }],
    ['no time zone', { ...telemetry, eventTime: '2026-01-01T00:00:00' }],
    ['February 30th', { ...telemetry, eventTime: '2026-02-30T00:00:00Z' }],
    ['hour 24', { ...telemetry, eventTime: '2026-01-01T24:00:00Z' }],
    ['unknown protocol', { ...telemetry, source: { ...telemetry.source, protocol: 'http' } }],
    ['extra field', { ...telemetry, extra: 1 }],
    ['wrong version', { ...telemetry, schemaVersion: 2 }],
  ])('rejects an envelope with %s', (_name, value) => {
    expect(validateTelemetry(value)).toBe(false);
    expect(() => validateTelemetry.assert(value)).toThrow(SchemaError);
  });

  it.each(['2024-02-29T23:59:60Z', '2026-01-01T00:00:00.123456+05:30', '2026-12-31t23:59:59z'])('accepts the RFC 3339 date-time %s', (time) => {
    expect(validateTelemetry({ ...telemetry, eventTime: time })).toBe(true);
  });

  it('names the offending path', () => {
    expect(() => validateCommand.assert({ schemaVersion: 1, id: 'c', deviceId: 'd', action: 5 })).toThrow(/\/action/);
  });
});

describe('topics', () => {
  it('prefixes names with fieldlink. by default', () => {
    expect(topicName('telemetry')).toBe('fieldlink.telemetry');
    expect(topicMap('acme.')['dead-letter']).toBe('acme.dead-letter');
  });
});

describe('published JSON Schema files', () => {
  it.each(Object.entries(jsonSchemaFiles()))('%s is up to date (run nx run schemas:generate)', (name, text) => {
    expect(readFileSync(join(__dirname, '..', 'json-schema', name), 'utf8')).toBe(text);
  });
});
