import { readFileSync } from 'node:fs';
import { type Static, type TObject } from '@sinclair/typebox';
import Ajv, { type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { ServiceError, ServiceErrorCode } from '../errors';

/** An environment variable that overrides one config key (addresses and secrets only). */
export interface EnvOverride {
  env: string;
  /** Dotted config path, e.g. `kafka.brokers`. */
  path: string;
  kind: 'string' | 'list' | 'integer';
  sensitive?: boolean;
}

/** The overrides every service honours. */
export const SERVICE_ENV_OVERRIDES: EnvOverride[] = [
  { env: 'KAFKA_BROKERS', path: 'kafka.brokers', kind: 'list' },
  { env: 'KAFKA_SASL_USERNAME', path: 'kafka.sasl.username', kind: 'string' },
  { env: 'KAFKA_SASL_PASSWORD', path: 'kafka.sasl.password', kind: 'string', sensitive: true },
  { env: 'HTTP_PORT', path: 'http.port', kind: 'integer' },
  { env: 'LOG_LEVEL', path: 'log.level', kind: 'string' },
  { env: 'GATEWAY_INSTANCE_ID', path: 'gateway.instanceId', kind: 'string' },
  { env: 'TOPIC_PREFIX', path: 'topics.prefix', kind: 'string' },
];

export interface LoadConfigOptions<S extends TObject> {
  schema: S;
  overrides: EnvOverride[];
  env: NodeJS.ProcessEnv;
  /** Env var naming the YAML file; absent means defaults plus env only. */
  fileEnv?: string;
}

// verbose gives each error its schema, so a failed union can list the allowed values.
const ajv = new Ajv({ useDefaults: true, allErrors: false, strict: false, coerceTypes: false, verbose: true });

/**
 * Reads YAML (path in FIELDLINK_CONFIG), applies env overrides and defaults,
 * and validates once. A failure names the key and never its value, which may be a secret.
 */
export function loadConfig<S extends TObject>(options: LoadConfigOptions<S>): Static<S> {
  const fileEnv = options.fileEnv ?? 'FIELDLINK_CONFIG';
  const path = options.env[fileEnv];
  const raw: unknown = path ? readYaml(path, fileEnv) : {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ServiceError(ServiceErrorCode.ConfigInvalid, `config file ${path ?? ''} must hold a YAML mapping at the top level`);
  }
  const config = raw as Record<string, unknown>;
  for (const override of options.overrides) applyOverride(config, override, options.env);
  const validate = ajv.compile(options.schema);
  if (!validate(config)) throw new ServiceError(ServiceErrorCode.ConfigInvalid, describe(validate.errors, options.overrides));
  return config;
}

function readYaml(path: string, fileEnv: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ServiceError(ServiceErrorCode.ConfigUnreadable, `cannot read config file ${path} (from ${fileEnv})`, { cause });
  }
  try {
    return parseYaml(text) ?? {};
  } catch (cause) {
    const line = (cause as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    throw new ServiceError(ServiceErrorCode.ConfigInvalid, `config file ${path} is not valid YAML${line ? ` (line ${line})` : ''}`, { cause });
  }
}

function applyOverride(config: Record<string, unknown>, override: EnvOverride, env: NodeJS.ProcessEnv): void {
  const text = env[override.env];
  if (text === undefined || text === '') return;
  let value: unknown = text;
  if (override.kind === 'list') value = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (override.kind === 'integer') {
    value = Number(text);
    if (!Number.isInteger(value)) {
      throw new ServiceError(ServiceErrorCode.ConfigInvalid, `config key "${override.path}" (env ${override.env}) must be an integer`);
    }
  }
  const keys = override.path.split('.');
  let node = config;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}

function describe(errors: ErrorObject[] | null | undefined, overrides: EnvOverride[]): string {
  const error = errors?.find((e) => e.keyword === 'anyOf') ?? errors?.[0];
  if (!error) return 'config is invalid';
  const segments = error.instancePath.split('/').filter(Boolean);
  if (error.keyword === 'required') segments.push(String(error.params['missingProperty']));
  if (error.keyword === 'additionalProperties') {
    segments.push(String(error.params['additionalProperty']));
    return `config key "${segments.join('.')}" is not a known setting`;
  }
  const key = segments.join('.') || '(root)';
  const fromEnv = overrides.find((o) => o.path === key);
  const where = fromEnv ? ` (env ${fromEnv.env})` : '';
  if (error.keyword === 'required') return `config key "${key}"${where} is required`;
  if (error.keyword === 'anyOf') return `config key "${key}"${where} must be one of: ${allowedValues(error.schema)}`;
  return `config key "${key}"${where} ${error.message ?? 'is invalid'}`;
}

function allowedValues(schema: unknown): string {
  const branches = Array.isArray(schema) ? (schema as { const?: unknown }[]) : [];
  return branches.map((b) => JSON.stringify(b.const)).join(', ');
}
