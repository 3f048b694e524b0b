import { type Static, Type } from '@sinclair/typebox';
import { CORE_ENV_OVERRIDES, CoreConfigSchema } from '@fieldlink/gateway-core';
import { type EnvOverride, ServiceError, ServiceErrorCode, TlsFilesSchema, loadConfig } from '@fieldlink/service';
import { DECODER_NAMES } from '@fieldlink/schemas';
import { TopicPattern } from '../mapping/topic-pattern';

const MappingSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, description: 'Labels metrics and the envelope source' }),
    topic: Type.String({ minLength: 1, description: 'Template with named levels; must contain {deviceId}' }),
    kind: Type.Union([Type.Literal('telemetry'), Type.Literal('status')], { default: 'telemetry' }),
    decoder: Type.Union(DECODER_NAMES.map((n) => Type.Literal(n)), { default: 'json' }),
    shareGroup: Type.Optional(Type.String({ minLength: 1, description: 'Subscribe as $share/<group>/<filter>' })),
    qos: Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)], { default: 1 }),
    timestampField: Type.Optional(Type.String({ description: 'json and cbor decoders: field holding the event time' })),
    timestampUnit: Type.Optional(
      Type.Union([Type.Literal('s'), Type.Literal('ms'), Type.Literal('auto')], {
        description: 'How an epoch number in timestampField is read: s (e.g. Python time.time()), ms (the default) or auto (seconds below 1e11)',
      }),
    ),
    valuesField: Type.Optional(Type.String({ minLength: 1, description: 'json and cbor decoders: the field whose object holds the metrics; other top-level fields are not metrics' })),
    metric: Type.Optional(Type.String({ description: 'number decoder: metric name' })),
  },
  { additionalProperties: false },
);

export const MqttGatewayConfigSchema = Type.Object(
  {
    ...CoreConfigSchema,
    mqtt: Type.Object(
      {
        url: Type.String({ minLength: 1, default: 'mqtt://127.0.0.1:1883', description: 'Broker URL (env MQTT_URL): mqtt:// or mqtts://' }),
        clientId: Type.Optional(Type.String({ minLength: 1, description: 'Stable id of the persistent session; default fieldlink-<instanceId>' })),
        protocolVersion: Type.Union([Type.Literal(4), Type.Literal(5)], { default: 5, description: '4 = MQTT 3.1.1, 5 = MQTT 5' }),
        username: Type.Optional(Type.String({ description: 'env MQTT_USERNAME' })),
        password: Type.Optional(Type.String({ description: 'Secret: env MQTT_PASSWORD' })),
        sessionExpirySeconds: Type.Integer({ minimum: 0, default: 7 * 24 * 3600, description: 'How long the broker keeps the session while the gateway is away (MQTT 5)' }),
        receiveMaximum: Type.Integer({
          minimum: 1,
          maximum: 65535,
          default: 10_000,
          description: 'Unacknowledged QoS 1/2 messages the broker may send at once (MQTT 5); with this many waiting for Kafka the gateway stops reading. Keep spool.highWaterRecords below it',
        }),
        keepaliveSeconds: Type.Integer({ minimum: 0, default: 30 }),
        reconnectPeriodMs: Type.Integer({ minimum: 100, default: 1000, description: 'Wait before the first reconnect; it doubles with every failed attempt' }),
        reconnectMaxMs: Type.Integer({ minimum: 100, default: 30_000, description: 'Longest wait between reconnect attempts' }),
        tls: Type.Optional(TlsFilesSchema),
      },
      { default: {}, additionalProperties: false },
    ),
    mappings: Type.Array(MappingSchema, {
      minItems: 1,
      default: [
        { name: 'telemetry', topic: 'sensors/{deviceId}/data', kind: 'telemetry', decoder: 'json' },
        { name: 'status', topic: 'devices/{deviceId}/status', kind: 'status', decoder: 'json' },
      ],
    }),
    commands: Type.Object(
      {
        topic: Type.String({ minLength: 1, default: 'commands/{deviceId}', description: 'Where commands are published' }),
        qos: Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)], { default: 1 }),
        deliverTimeoutMs: Type.Integer({ minimum: 1, default: 10_000 }),
      },
      { default: {}, additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export type MqttGatewayConfig = Static<typeof MqttGatewayConfigSchema>;
export type MqttMapping = Static<typeof MappingSchema>;

export const MQTT_ENV_OVERRIDES: EnvOverride[] = [
  ...CORE_ENV_OVERRIDES,
  { env: 'MQTT_URL', path: 'mqtt.url', kind: 'string' },
  { env: 'MQTT_CLIENT_ID', path: 'mqtt.clientId', kind: 'string' },
  { env: 'MQTT_USERNAME', path: 'mqtt.username', kind: 'string' },
  { env: 'MQTT_PASSWORD', path: 'mqtt.password', kind: 'string', sensitive: true },
];

/** Loads and validates the config; topic templates are checked here too so a bad one stops startup. */
export function loadMqttGatewayConfig(env: NodeJS.ProcessEnv): MqttGatewayConfig {
  const config = loadConfig({ schema: MqttGatewayConfigSchema, overrides: MQTT_ENV_OVERRIDES, env });
  config.mappings.forEach((mapping, i) => {
    const pattern = withKey(`mappings.${i}.topic`, () => new TopicPattern(mapping.topic));
    if (!pattern.names.includes('deviceId')) {
      throw new ServiceError(ServiceErrorCode.ConfigInvalid, `config key "mappings.${i}.topic" must contain {deviceId}`);
    }
  });
  const commands = withKey('commands.topic', () => new TopicPattern(config.commands.topic));
  const wildcard = commands.template.split('/').some((level) => level === '+' || level === '#');
  if (!commands.names.includes('deviceId') || wildcard) {
    throw new ServiceError(ServiceErrorCode.ConfigInvalid, 'config key "commands.topic" must contain {deviceId} and no wildcards');
  }
  return config;
}

function withKey<T>(key: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ServiceError(ServiceErrorCode.ConfigInvalid, `config key "${key}": ${message}`, { cause: error });
  }
}
