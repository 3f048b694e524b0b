import { type Static, Type } from '@sinclair/typebox';
import { CORE_ENV_OVERRIDES, CoreConfigSchema, RouteCommandSchema, RouteFields } from '@fieldlink/gateway-core';
import { type EnvOverride, ServiceError, ServiceErrorCode, TlsFilesSchema, loadConfig } from '@fieldlink/service';
import { Shard, ordinalOf } from '../ingress/shard';
import { MappingRouter } from '../mapping/mapping.router';
import { TopicPattern } from '../mapping/topic-pattern';
import { SPARKPLUG_ROUTE } from '../sparkplug/sparkplug-topic';

const TopicTemplate = (description: string) => Type.String({ minLength: 1, description });

const MappingSchema = Type.Object({
  ...RouteFields,
  topic: TopicTemplate('Template with named levels, e.g. plant/{site}/{deviceId}/data; each {name} is one captured level'),
  shareGroup: Type.Optional(Type.String({ minLength: 1, description: 'Subscribe as $share/<group>/<filter>' })),
  qos: Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)], { default: 1, description: 'Subscription QoS; 1 and 2 are acknowledged only once Kafka or the spool has the message, 0 is never redelivered' }),
  command: Type.Optional(
    Type.Object(
      {
        topic: Type.Optional(TopicTemplate('Where commands for this route\'s devices are published; default commands.topic')),
        payload: Type.Optional(RouteCommandSchema.properties.payload),
      },
      { additionalProperties: false },
    ),
  ),
}, { additionalProperties: false });

const SparkplugId = (description: string, options: { default?: string } = {}) => Type.String({ minLength: 1, pattern: '^[^/+#]+$', description, ...options });

const SparkplugSchema = Type.Object(
  {
    groups: Type.Array(Type.Union([Type.Literal('+'), SparkplugId('A Sparkplug group id')]), {
      minItems: 1,
      default: ['+'],
      description: 'Sparkplug groups to bridge; "+" for every group on the broker',
    }),
    hostId: SparkplugId('Host application id: the gateway publishes its STATE on spBv1.0/STATE/<hostId> (retained; offline as its will)', { default: 'fieldlink' }),
    deviceId: Type.String({ minLength: 1, default: '{group}/{node}/{device}', description: 'deviceId of a Sparkplug device, from {group}, {node} and {device}' }),
    nodeDeviceId: Type.String({ minLength: 1, default: '{group}/{node}', description: 'deviceId of an edge node itself, from {group} and {node}' }),
    maxNodes: Type.Integer({ minimum: 1, default: 10_000, description: 'Edge nodes held; beyond this the one heard from least recently is forgotten, and asked for a rebirth when it speaks again' }),
    maxDevicesPerNode: Type.Integer({ minimum: 1, default: 1000, description: 'Devices one edge node may have born at once; a DBIRTH beyond is dead-lettered' }),
    rebirthIntervalMs: Type.Integer({
      minimum: 0,
      default: 5000,
      description: 'Least time between two rebirth requests (NCMD Node Control/Rebirth) to one edge node',
    }),
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
          default: 1000,
          description:
            'Unacknowledged QoS 1/2 messages the broker may send at once (MQTT 5); with this many waiting for Kafka the gateway stops reading. Enough to cover Kafka\'s round trip at tens of thousands of messages/s; a larger window holds each message longer, which costs CPU in garbage collection',
        }),
        maximumPacketBytes: Type.Optional(
          Type.Integer({
            minimum: 1,
            maximum: 268_435_460,
            description:
              'Maximum Packet Size the gateway announces (MQTT 5 only): the broker then drops larger messages for the gateway, unseen and uncounted by it. Unset: the gateway takes every packet, and dead-letters a payload over ingest.maxPayloadBytes',
          }),
        ),
        keepaliveSeconds: Type.Integer({ minimum: 0, default: 30, description: 'MQTT keep-alive; the broker drops a silent gateway after 1.5 times this' }),
        reconnectPeriodMs: Type.Integer({ minimum: 100, default: 1000, description: 'Wait before the first reconnect; it doubles with every failed attempt' }),
        reconnectMaxMs: Type.Integer({ minimum: 100, default: 30_000, description: 'Longest wait between reconnect attempts' }),
        tls: Type.Optional(TlsFilesSchema),
      },
      { default: {}, additionalProperties: false },
    ),
    mappings: Type.Array(MappingSchema, {
      description: 'Topic mappings; may be empty when sparkplug is set',
      default: [
        { name: 'telemetry', topic: 'sensors/{deviceId}/data', kind: 'telemetry', decoder: 'json' },
        { name: 'status', topic: 'devices/{deviceId}/status', kind: 'status', decoder: 'json' },
      ],
    }),
    sparkplug: Type.Optional(SparkplugSchema),
    sharding: Type.Object(
      {
        count: Type.Integer({
          minimum: 1,
          maximum: 1024,
          default: 1,
          description:
            'Replicas that divide the devices between them (README, Scale-out): each subscribes to every mapping and forwards only the devices whose hash falls in its shard, so a device\'s order holds with any broker. Not with shareGroup or sparkplug',
        }),
        index: Type.Optional(Type.Integer({ minimum: 0, description: 'This replica\'s shard, below count; default the number gateway.instanceId ends in (a StatefulSet pod\'s ordinal)' })),
      },
      { default: {}, additionalProperties: false },
    ),
    commands: Type.Object(
      {
        topic: Type.String({ minLength: 1, default: 'commands/{deviceId}', description: 'Where commands are published, unless the device\'s route names its own command.topic' }),
        payload: Type.Optional(RouteCommandSchema.properties.payload),
        qos: Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)], { default: 1, description: 'QoS commands are published with; with 1 and 2 delivered means the broker acknowledged it' }),
        deliverTimeoutMs: Type.Integer({ minimum: 1, default: 10_000, description: 'How long a publish may wait for the broker before the command fails FL_COMMAND_NOT_DELIVERED' }),
        deliveryGroup: Type.Optional(
          Type.String({
            minLength: 1,
            pattern: '^[A-Za-z0-9._-]+$',
            description:
              'Replicas with the same config and broker name one group: any of them can publish a command, so the registry names the group as their devices\' gateway and each command goes to one member, also while another restarts. Unset: each instance delivers to the devices it last had a message from. Not with sparkplug',
          }),
        ),
      },
      { default: {}, additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export type MqttGatewayConfig = Static<typeof MqttGatewayConfigSchema>;
export type MqttMapping = Static<typeof MappingSchema>;
export type SparkplugConfig = Static<typeof SparkplugSchema>;

/** What the loader builds from the config, once: the adapter's parts use these instead of building their own. */
export interface MqttRuntime {
  /** The mappings as a route table, with their subscriptions. */
  router: MappingRouter;
  /** This replica's shard when sharding.count is above 1. */
  shard: Shard | undefined;
  /** commands.topic, and each mapping's own command.topic by mapping name. */
  commandTopics: { fallback: TopicPattern; byRoute: ReadonlyMap<string, TopicPattern> };
}

export type MqttRuntimeConfig = MqttGatewayConfig & { runtime: MqttRuntime };

export const MQTT_ENV_OVERRIDES: EnvOverride[] = [
  ...CORE_ENV_OVERRIDES,
  { env: 'MQTT_URL', path: 'mqtt.url', kind: 'string' },
  { env: 'MQTT_CLIENT_ID', path: 'mqtt.clientId', kind: 'string' },
  { env: 'MQTT_USERNAME', path: 'mqtt.username', kind: 'string' },
  { env: 'MQTT_PASSWORD', path: 'mqtt.password', kind: 'string', sensitive: true },
];

/** Loads and validates the config and builds its runtime parts; a bad topic template stops startup. */
export function loadMqttGatewayConfig(env: NodeJS.ProcessEnv): MqttRuntimeConfig {
  const config = loadConfig({ schema: MqttGatewayConfigSchema, overrides: MQTT_ENV_OVERRIDES, env });
  if (config.mqtt.maximumPacketBytes !== undefined && config.mqtt.protocolVersion !== 5) {
    throw new ServiceError(ServiceErrorCode.ConfigInvalid, 'config key "mqtt.maximumPacketBytes" needs mqtt.protocolVersion 5; with MQTT 3.1.1 set the limit on the broker (Mosquitto: max_packet_size)');
  }
  if (config.spool.overflow === 'reject') {
    throw new ServiceError(ServiceErrorCode.ConfigInvalid, 'config key "spool.overflow": reject needs a protocol that can answer "retry later"; MQTT cannot, so use block (the broker keeps the messages)');
  }
  checkSparkplug(config);
  if (config.sparkplug && config.commands.deliveryGroup) {
    throw new ServiceError(ServiceErrorCode.ConfigInvalid, 'config key "commands.deliveryGroup": not with "sparkplug", whose births (and so the types of a write) are known only to the instance that read them');
  }
  const shard = shardOfReplica(config);
  const router = new MappingRouter(config.mappings);
  const fallback = commandTopic('commands.topic', config.commands.topic);
  const byRoute = new Map<string, TopicPattern>();
  config.mappings.forEach((m, i) => m.command?.topic && byRoute.set(m.name, commandTopic(`mappings.${i}.command.topic`, m.command.topic)));
  return { ...config, runtime: { router, shard, commandTopics: { fallback, byRoute } } };
}

function shardOfReplica(config: MqttGatewayConfig): Shard | undefined {
  const { count, index = ordinalOf(config.gateway.instanceId) } = config.sharding;
  if (count === 1) return undefined;
  const refuse = (message: string) => new ServiceError(ServiceErrorCode.ConfigInvalid, `config key "sharding.count" is ${count}, but ${message}`);
  if (config.sparkplug) throw refuse('"sparkplug" is set: a Sparkplug host needs every message of its edge nodes');
  const shared = config.mappings.find((m) => m.shareGroup);
  // The broker would hand a message to one replica of the group, which may not own its device.
  if (shared) throw refuse(`mapping "${shared.name}" has a shareGroup: with shards every replica must see every message`);
  if (index === undefined) throw refuse(`"sharding.index" is unset and gateway.instanceId "${config.gateway.instanceId}" does not end in -<number>`);
  if (index >= count) throw refuse(`this replica's shard (sharding.index, or the number its instance id ends in) is ${index}: shards are 0 to ${count - 1}`);
  return new Shard(index, count);
}

function checkSparkplug(config: MqttGatewayConfig): void {
  const { sparkplug } = config;
  if (!sparkplug) {
    if (config.mappings.length === 0) throw new ServiceError(ServiceErrorCode.ConfigInvalid, 'config key "mappings" is empty and "sparkplug" is not set: the gateway would bridge nothing');
    return;
  }
  if (config.mappings.some((m) => m.name === SPARKPLUG_ROUTE)) {
    throw new ServiceError(ServiceErrorCode.ConfigInvalid, `config key "mappings": the name "${SPARKPLUG_ROUTE}" is the Sparkplug host's own route`);
  }
  // The subscription filter, not the template: {site}/# subscribes to +/#, which takes spBv1.0/ too.
  if (config.mappings.some((m) => ['spBv1.0', '+', '#'].includes(new TopicPattern(m.topic).filter.split('/')[0] ?? ''))) {
    throw new ServiceError(ServiceErrorCode.ConfigInvalid, 'config key "mappings": with "sparkplug" set, no mapping may match spBv1.0/ topics; the Sparkplug host reads them');
  }
  checkTemplate('sparkplug.deviceId', sparkplug.deviceId, ['group', 'node', 'device']);
  checkTemplate('sparkplug.nodeDeviceId', sparkplug.nodeDeviceId, ['group', 'node']);
}

function checkTemplate(key: string, template: string, allowed: string[]): void {
  const unknown = [...template.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]).filter((name) => !allowed.includes(name ?? ''));
  if (unknown.length > 0) throw new ServiceError(ServiceErrorCode.ConfigInvalid, `config key "${key}": {${unknown.join('}, {')}} is not one of {${allowed.join('}, {')}}`);
}

function commandTopic(key: string, template: string): TopicPattern {
  let pattern: TopicPattern;
  try {
    pattern = new TopicPattern(template);
  } catch (error) {
    throw new ServiceError(ServiceErrorCode.ConfigInvalid, `config key "${key}": ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const wildcard = pattern.template.split('/').some((level) => level === '+' || level === '#');
  if (!pattern.names.includes('deviceId') || wildcard) throw new ServiceError(ServiceErrorCode.ConfigInvalid, `config key "${key}" must contain {deviceId} and no wildcards`);
  return pattern;
}
