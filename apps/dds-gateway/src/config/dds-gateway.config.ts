import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Static, Type } from '@sinclair/typebox';
import { CORE_ENV_OVERRIDES, CoreConfigSchema, type DecodedRoute, RouteActionsSchema } from '@fieldlink/gateway-core';
import { type EnvOverride, ServiceError, ServiceErrorCode, loadConfig } from '@fieldlink/service';
import { parsePath } from '../session/field-path';

/** Shipped next to main.js by the build (tools/build/bundle.mjs copies src/**\/*.xml). */
export const DEFAULT_QOS_FILE = join(__dirname, 'fieldlink-default.xml');

const EventTime = Type.Union(
  [
    Type.Object(
      {
        field: Type.String({ minLength: 1, description: 'Field path of an integer epoch time, e.g. timestamp or header.stamp' }),
        // Optional rather than defaulted: defaults are not applied inside a union.
        unit: Type.Optional(Type.Union([Type.Literal('s'), Type.Literal('ms'), Type.Literal('us'), Type.Literal('ns')], { description: 'Default ms' })),
      },
      { additionalProperties: false },
    ),
    Type.Literal('source', { description: "The writer's source timestamp from the SampleInfo" }),
    Type.Literal('receive', { description: 'The time the gateway took the sample' }),
  ],
  { default: 'source', description: 'Where a sample\'s eventTime comes from' },
);

const ReaderSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9_.-]+$', description: 'Route name: labels metrics and the envelope source' }),
    reader: Type.String({ minLength: 1, description: 'The data_reader in the XML participant, as <subscriber>::<data_reader>' }),
    topic: Type.String({ minLength: 1, description: 'The DDS topic the reader reads; the envelope source ref' }),
    deviceIdField: Type.String({ minLength: 1, description: 'Field path of the deviceId, normally the @key member' }),
    metrics: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        minItems: 1,
        description: 'Field paths that become metrics; default every field except the deviceId and event-time fields',
      }),
    ),
    eventTime: EventTime,
    actions: Type.Optional(RouteActionsSchema),
  },
  { additionalProperties: false },
);

export const DdsGatewayConfigSchema = Type.Object(
  {
    ...CoreConfigSchema,
    dds: Type.Object(
      {
        qosFile: Type.String({ minLength: 1, default: DEFAULT_QOS_FILE, description: 'RTI XML with the types, QoS and participant (env DDS_QOS_FILE); default the shipped one' }),
        participant: Type.String({ minLength: 1, default: 'Fieldlink::Gateway', description: 'The participant to create, as <participant_library>::<domain_participant>' }),
        idlePollMs: Type.Integer({ minimum: 1, maximum: 1000, default: 5, description: 'How long the reader loop sleeps when no reader had a sample' }),
        takesInFlight: Type.Integer({ minimum: 1, maximum: 64, default: 4, description: 'How many takes may be on their way to Kafka at once before the reader loop waits' }),
        readers: Type.Array(ReaderSchema, {
          default: [{ name: 'sensors', reader: 'Readings::SensorReadings', topic: 'SensorReadings', deviceIdField: 'sensor_id', eventTime: { field: 'timestamp', unit: 'ms' } }],
          description: 'DataReaders of the participant in the XML, one route each',
        }),
        commands: Type.Object(
          {
            enabled: Type.Boolean({ default: true, description: 'Write commands for DDS devices to the command writer' }),
            writer: Type.String({ minLength: 1, default: 'Commands::DeviceCommands', description: 'The data_writer, as <publisher>::<data_writer>' }),
            topic: Type.String({ minLength: 1, default: 'DeviceCommands', description: 'The DDS topic the writer writes; the device registry ref' }),
            fields: Type.Object(
              {
                deviceId: Type.String({ minLength: 1, default: 'device_id', description: 'Field of the command type that gets the deviceId' }),
                commandId: Type.String({ minLength: 1, default: 'command_id', description: 'Field that gets the command id' }),
                action: Type.String({ minLength: 1, default: 'action', description: 'Field that gets the action' }),
                args: Type.String({ minLength: 1, default: 'args', description: 'A string field; it gets the arguments as JSON text' }),
              },
              { default: {}, additionalProperties: false },
            ),
            ackTimeoutMs: Type.Integer({
              minimum: 10,
              maximum: 60_000,
              default: 5000,
              description: 'How long a command waits for every matched reliable reader to acknowledge it',
            }),
          },
          { default: {}, additionalProperties: false },
        ),
      },
      { default: {}, additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export type DdsGatewayConfig = Static<typeof DdsGatewayConfigSchema>;
export type DdsConfig = DdsGatewayConfig['dds'];
export type ReaderConfig = Static<typeof ReaderSchema>;
export type EventTimeConfig = Static<typeof EventTime>;

/** A reader with the route its samples take into the pipeline. */
export interface ReaderRoute {
  config: ReaderConfig;
  ingest: DecodedRoute;
}

/** What the loader builds from the config, once: the adapter's parts use these instead of building their own. */
export interface DdsRuntime {
  routes: ReaderRoute[];
}

export type DdsRuntimeConfig = DdsGatewayConfig & { runtime: DdsRuntime };

export const DDS_ENV_OVERRIDES: EnvOverride[] = [...CORE_ENV_OVERRIDES, { env: 'DDS_QOS_FILE', path: 'dds.qosFile', kind: 'string' }];

const invalid = (key: string, why: string) => new ServiceError(ServiceErrorCode.ConfigInvalid, `config key "${key}": ${why}`);

/** Loads and validates the YAML and builds its runtime parts; the XML itself is checked when the participant is created (see DdsParticipant.open). */
export function loadDdsGatewayConfig(env: NodeJS.ProcessEnv): DdsRuntimeConfig {
  const config = loadConfig({ schema: DdsGatewayConfigSchema, overrides: DDS_ENV_OVERRIDES, env });
  // A rejected sample would be lost: DDS has no way to tell a writer to send it again.
  if (config.spool.overflow === 'reject') throw invalid('spool.overflow', 'reject is for protocols that can ask a device to retry; DDS cannot: use block');
  checkDds(config.dds);
  return { ...config, runtime: { routes: readerRoutes(config.dds.readers) } };
}

/** Every reader's samples are telemetry, decoded from the sample's JSON. */
export function readerRoutes(readers: readonly ReaderConfig[]): ReaderRoute[] {
  return readers.map((config) => ({ config, ingest: { name: config.name } }));
}

export function checkDds(dds: DdsConfig): void {
  if (!existsSync(dds.qosFile)) throw invalid('dds.qosFile', `${dds.qosFile} does not exist`);
  const names = new Set<string>();
  dds.readers.forEach((reader, i) => {
    const key = `dds.readers[${i}]`;
    if (names.has(reader.name)) throw invalid(`${key}.name`, `"${reader.name}" is used twice`);
    names.add(reader.name);
    if (!reader.reader.includes('::')) throw invalid(`${key}.reader`, 'must be <subscriber>::<data_reader>');
    const timeField = typeof reader.eventTime === 'object' ? reader.eventTime.field : undefined;
    checkPath(`${key}.deviceIdField`, reader.deviceIdField);
    if (timeField !== undefined) checkPath(`${key}.eventTime.field`, timeField);
    reader.metrics?.forEach((path, j) => checkPath(`${key}.metrics[${j}]`, path));
    if (timeField === reader.deviceIdField) throw invalid(`${key}.eventTime.field`, 'is the deviceId field');
    if (reader.metrics?.includes(reader.deviceIdField)) throw invalid(`${key}.metrics`, `includes the deviceId field "${reader.deviceIdField}"`);
  });
  if (dds.commands.enabled && !dds.commands.writer.includes('::')) throw invalid('dds.commands.writer', 'must be <publisher>::<data_writer>');
  for (const [name, path] of Object.entries(dds.commands.fields)) {
    checkPath(`dds.commands.fields.${name}`, path);
    if (path.includes('[')) throw invalid(`dds.commands.fields.${name}`, 'names a struct member (a or a.b), not a sequence element');
  }
}

function checkPath(key: string, path: string): void {
  try {
    parsePath(path);
  } catch (error) {
    throw invalid(key, (error as Error).message);
  }
}
