import { type Static, Type } from '@sinclair/typebox';

export const SCHEMA_VERSION = 1;

const Iso8601 = Type.String({ format: 'date-time', description: 'RFC 3339 timestamp, UTC' });
const Id = Type.String({ minLength: 1, maxLength: 128, description: 'Unique id; doubles as the idempotency key' });
const DeviceId = Type.String({ minLength: 1, maxLength: 256 });

export const SourceSchema = Type.Object(
  {
    protocol: Type.Union([Type.Literal('mqtt'), Type.Literal('coap'), Type.Literal('opcua'), Type.Literal('dds')]),
    gateway: Type.String({ minLength: 1, description: 'Gateway instance id' }),
    ref: Type.String({ description: 'Native reference: MQTT topic, CoAP URI path, OPC UA NodeId or DDS topic' }),
    mapping: Type.Optional(Type.String({ description: 'Name of the configured mapping that matched' })),
  },
  { additionalProperties: false },
);
export type Source = Static<typeof SourceSchema>;

export const MetricValueSchema = Type.Object(
  {
    value: Type.Union([Type.Number(), Type.String(), Type.Boolean()]),
    unit: Type.Optional(Type.String({ description: 'SenML unit name (RFC 8428 §12.1)' })),
    quality: Type.Optional(Type.Integer({ minimum: 0, description: 'OPC UA StatusCode' })),
  },
  { additionalProperties: false },
);
export type MetricValue = Static<typeof MetricValueSchema>;

const Values = Type.Record(Type.String({ minLength: 1 }), MetricValueSchema, { minProperties: 1 });
const Labels = Type.Record(Type.String(), Type.String(), {
  description: 'Extra named captures from the mapping, e.g. {site} in plant/{site}/{deviceId}/telemetry',
});

const envelopeFields = {
  schemaVersion: Type.Literal(SCHEMA_VERSION),
  id: Id,
  deviceId: DeviceId,
  eventTime: Iso8601,
  receiveTime: Iso8601,
  source: SourceSchema,
  labels: Type.Optional(Labels),
};

export const TelemetrySchema = Type.Object(
  { ...envelopeFields, values: Values },
  { $id: 'fieldlink.telemetry', title: 'Telemetry', additionalProperties: false },
);
export type Telemetry = Static<typeof TelemetrySchema>;

export const DeviceStatusSchema = Type.Object(
  {
    ...envelopeFields,
    status: Type.String({ minLength: 1, description: 'e.g. online, offline, or a device-defined state' }),
    detail: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { $id: 'fieldlink.device-status', title: 'DeviceStatus', additionalProperties: false },
);
export type DeviceStatus = Static<typeof DeviceStatusSchema>;

export const DeadLetterSchema = Type.Object(
  {
    schemaVersion: Type.Literal(SCHEMA_VERSION),
    id: Id,
    deviceId: Type.Optional(DeviceId),
    receiveTime: Iso8601,
    source: SourceSchema,
    reason: Type.Object(
      {
        code: Type.String({ description: 'FL_* error code' }),
        message: Type.String(),
      },
      { additionalProperties: false },
    ),
    payload: Type.Object(
      {
        encoding: Type.Literal('base64'),
        size: Type.Integer({ minimum: 0, description: 'Size of the raw bytes' }),
        data: Type.String({ description: 'The raw bytes exactly as received' }),
        truncated: Type.Optional(Type.Boolean({ description: 'Only the first bytes are kept; size is the full length' })),
      },
      { additionalProperties: false },
    ),
  },
  { $id: 'fieldlink.dead-letter', title: 'DeadLetter', additionalProperties: false },
);
export type DeadLetter = Static<typeof DeadLetterSchema>;

export const CommandSchema = Type.Object(
  {
    schemaVersion: Type.Literal(SCHEMA_VERSION),
    id: Id,
    deviceId: DeviceId,
    action: Type.String({ minLength: 1 }),
    args: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    protocol: Type.Optional(SourceSchema.properties.protocol),
    createdAt: Type.Optional(Iso8601),
    expiresAt: Type.Optional(Iso8601),
  },
  { $id: 'fieldlink.commands', title: 'Command', additionalProperties: false },
);
export type Command = Static<typeof CommandSchema>;

export const CommandStatusSchema = Type.Union([
  Type.Literal('delivered'),
  Type.Literal('succeeded'),
  Type.Literal('failed'),
  Type.Literal('expired'),
]);
export type CommandStatus = Static<typeof CommandStatusSchema>;

export const CommandResultSchema = Type.Object(
  {
    schemaVersion: Type.Literal(SCHEMA_VERSION),
    id: Type.String({ description: 'The id of the command this result is for' }),
    deviceId: DeviceId,
    status: CommandStatusSchema,
    time: Iso8601,
    gateway: Type.String(),
    detail: Type.Optional(Type.String()),
  },
  { $id: 'fieldlink.command-results', title: 'CommandResult', additionalProperties: false },
);
export type CommandResult = Static<typeof CommandResultSchema>;

/** Every published schema, by the topic it describes. */
export const TOPIC_SCHEMAS = {
  telemetry: TelemetrySchema,
  'device-status': DeviceStatusSchema,
  'dead-letter': DeadLetterSchema,
  commands: CommandSchema,
  'command-results': CommandResultSchema,
} as const;
