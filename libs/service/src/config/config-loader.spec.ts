import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceError } from '../errors';
import { SERVICE_ENV_OVERRIDES, loadConfig } from './config-loader';
import { ServiceConfigObject } from './service-config.schema';

const schema = ServiceConfigObject;

function yamlFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'c.yaml');
  writeFileSync(path, text);
  return path;
}

const load = (env: NodeJS.ProcessEnv) => loadConfig({ schema, overrides: SERVICE_ENV_OVERRIDES, env });
const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ServiceError);
    return (error as Error).message;
  }
  throw new Error('expected a ServiceError');
};

describe(loadConfig.name, () => {
  it('needs no file at all: defaults fill every section', () => {
    const config = load({});
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.topics.prefix).toBe('fieldlink.');
    expect(config.http.port).toBe(8080);
  });

  it('lets env override addresses and secrets over the file', () => {
    const path = yamlFile('kafka:\n  brokers: [a:1]\n  sasl: {mechanism: scram-sha-512, username: u, password: fromfile}\n');
    const config = load({ FIELDLINK_CONFIG: path, KAFKA_BROKERS: 'b:2, c:3', KAFKA_SASL_PASSWORD: 'fromenv' });
    expect(config.kafka.brokers).toEqual(['b:2', 'c:3']);
    expect(config.kafka.sasl?.password).toBe('fromenv');
  });

  it('names an unknown key', () => {
    expect(message(() => load({ FIELDLINK_CONFIG: yamlFile('kafka:\n  brokerz: [x]\n') }))).toBe(
      'config key "kafka.brokerz" is not a known setting',
    );
  });

  it('lists the allowed values of an enumerated key', () => {
    expect(message(() => load({ FIELDLINK_CONFIG: yamlFile('kafka:\n  compression: lz5\n') }))).toBe(
      'config key "kafka.compression" must be one of: "none", "gzip"',
    );
  });

  it('never echoes a secret value', () => {
    const text = message(() => load({ FIELDLINK_CONFIG: yamlFile('kafka:\n  sasl: {mechanism: plain, username: u, password: 12345678}\n') }));
    expect(text).toBe('config key "kafka.sasl.password" (env KAFKA_SASL_PASSWORD) must be string');
    expect(text).not.toContain('12345678');
  });

  it('reports YAML syntax errors with the line', () => {
    expect(message(() => load({ FIELDLINK_CONFIG: yamlFile('kafka:\n  brokers: [a\n') }))).toMatch(/is not valid YAML/);
  });
});
