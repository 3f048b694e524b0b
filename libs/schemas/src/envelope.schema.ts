import { type Static, Type } from '@sinclair/typebox';

export const SCHEMA_VERSION = 1;

const SchemaVersion = Type.Literal(SCHEMA_VERSION, { description: 'Changes only with an incompatible change (docs/topics.md, Schema evolution); reject a version you do not know' });

const Iso8601 = Type.String({ format: 'date-time', description: 'RFC 3339 timestamp, UTC' });
const Id = Type.String({ minLength: 1, maxLength: 128, description: 'Unique id; doubles as the idempotency key' });
/** The longest deviceId a record may carry. */
export const MAX_DEVICE_ID_LENGTH = 256;
const DeviceId = Type.String({ minLength: 1, maxLength: MAX_DEVICE_ID_LENGTH, description: 'The device, as the gateway\'s route names it; also the record key' });

export const SourceSchema = Type.Object(
  {
    protocol: Type.Union([Type.Literal('mqtt'), Type.Literal('coap'), Type.Literal('opcua'), Type.Literal('dds')], { description: 'The protocol the device spoke' }),
    gateway: Type.String({ minLength: 1, description: 'Gateway instance id' }),
    ref: Type.String({ description: 'Native reference: MQTT topic, CoAP URI path, OPC UA NodeId or DDS topic' }),
    mapping: Type.Optional(Type.String({ description: 'Name of the configured mapping that matched' })),
  },
  { additionalProperties: false },
);
export type Source = Static<typeof SourceSchema>;

export const MetricValueSchema = Type.Object(
  {
    value: Type.Union([Type.Number(), Type.String(), Type.Boolean()], {
      description:
        'Integers beyond ±(2^53-1), such as a large Int64, are exact decimal strings; an array is one metric per element (name[0], name[1], …) and a structure one per field (name.field)',
    }),
    unit: Type.Optional(Type.String({ description: 'SenML unit name (RFC 8428 §12.1)' })),
    quality: Type.Optional(Type.Integer({ minimum: 0, description: 'OPC UA StatusCode' })),
  },
  { additionalProperties: false },
);
export type MetricValue = Static<typeof MetricValueSchema>;

const Values = Type.Record(Type.String({ minLength: 1 }), MetricValueSchema, {
  minProperties: 1,
  description: 'Metric name → { value: number, string or boolean; unit?: SenML unit name; quality?: OPC UA StatusCode }',
});
const Labels = Type.Record(Type.String(), Type.String(), {
  description: 'Extra named captures from the mapping, e.g. {site} in plant/{site}/{deviceId}/telemetry',
});

const envelopeFields = {
  schemaVersion: SchemaVersion,
  id: Id,
  deviceId: DeviceId,
  eventTime: Iso8601,
  receiveTime: Iso8601,
  source: SourceSchema,
  labels: Type.Optional(Labels),
};

export const TelemetrySchema = Type.Object(
  {
    ...envelopeFields,
    serverTime: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'When a server between the device and the gateway stamped the values, e.g. the OPC UA ServerTimestamp; eventTime is the source timestamp',
      }),
    ),
    values: Values,
  },
  { $id: 'fieldlink.telemetry', title: 'Telemetry', additionalProperties: false },
);
export type Telemetry = Static<typeof TelemetrySchema>;

export const DeviceStatusSchema = Type.Object(
  {
    ...envelopeFields,
    status: Type.String({ minLength: 1, description: 'e.g. online, offline, or a device-defined state' }),
    detail: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'What the device or the gateway added, e.g. a firmware version or the reason of an offline' })),
  },
  { $id: 'fieldlink.device-status', title: 'DeviceStatus', additionalProperties: false },
);
export type DeviceStatus = Static<typeof DeviceStatusSchema>;

/** Where a dead letter came from: a gateway, or a service that consumed it from Kafka. */
const DeadLetterSourceSchema = Type.Object(
  {
    ...SourceSchema.properties,
    protocol: Type.Union([...SourceSchema.properties.protocol.anyOf, Type.Literal('kafka')], { description: 'kafka: a service set aside a record it consumed (ref says which)' }),
    ref: Type.String({ description: 'Native reference; for protocol kafka: <topic>/<partition>@<offset>' }),
  },
  { additionalProperties: false },
);

export const DeadLetterSchema = Type.Object(
  {
    schemaVersion: SchemaVersion,
    id: Id,
    deviceId: Type.Optional(DeviceId),
    receiveTime: Iso8601,
    source: DeadLetterSourceSchema,
    reason: Type.Object(
      {
        code: Type.String({ description: 'FL_* error code' }),
        message: Type.String({ description: 'What was wrong, for people' }),
      },
      { additionalProperties: false },
    ),
    payload: Type.Object(
      {
        encoding: Type.Literal('base64', { description: 'How data is encoded' }),
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
    schemaVersion: SchemaVersion,
    id: Id,
    deviceId: DeviceId,
    action: Type.String({ minLength: 1, description: 'What to do; the device\'s route may allow only some actions (FL_COMMAND_ACTION_NOT_ALLOWED)' }),
    args: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'The action\'s arguments, passed to the device' })),
    protocol: Type.Optional(Type.Union(SourceSchema.properties.protocol.anyOf, { description: 'Only a gateway of this protocol may deliver it; otherwise FL_COMMAND_WRONG_TARGET' })),
    gateway: Type.Optional(
      Type.String({ minLength: 1, description: 'Only this gateway instance may deliver it; when the device is served elsewhere the command fails' }),
    ),
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
], { description: 'delivered: the device got it; succeeded: the protocol reported success (output); failed: see code; expired: expiresAt passed first' });
export type CommandStatus = Static<typeof CommandStatusSchema>;

export const CommandResultSchema = Type.Object(
  {
    schemaVersion: SchemaVersion,
    id: Type.String({ description: 'The id of the command this result is for' }),
    deviceId: DeviceId,
    status: CommandStatusSchema,
    time: Iso8601,
    gateway: Type.String({ description: 'The gateway instance that wrote the result' }),
    code: Type.Optional(Type.String({ description: 'On failed: an FL_* reason code, e.g. FL_COMMAND_UNKNOWN_DEVICE' })),
    detail: Type.Optional(Type.String({ description: 'Why it failed, for people' })),
    output: Type.Optional(Type.Unknown({ description: 'On succeeded: what the device returned, e.g. the output arguments of an OPC UA method' })),
  },
  { $id: 'fieldlink.command-results', title: 'CommandResult', additionalProperties: false },
);
export type CommandResult = Static<typeof CommandResultSchema>;

export const WindowStatsSchema = Type.Object(
  {
    schemaVersion: SchemaVersion,
    id: Type.String({ minLength: 1, description: 'Derived from device, metric and window, so a re-emitted window keeps its id' }),
    deviceId: DeviceId,
    metric: Type.String({ minLength: 1, description: 'The metric the statistics are of' }),
    window: Type.Object(
      {
        start: Iso8601,
        end: Type.String({ format: 'date-time', description: 'Exclusive' }),
        sizeMs: Type.Integer({ minimum: 1, description: 'Window length in event time' }),
        advanceMs: Type.Integer({ minimum: 1, description: 'Equal to sizeMs for tumbling windows' }),
      },
      { additionalProperties: false },
    ),
    count: Type.Integer({ minimum: 1, description: 'Numeric readings of the metric in the window' }),
    mean: Type.Number({ description: 'Their mean' }),
    min: Type.Number({ description: 'The smallest' }),
    max: Type.Number({ description: 'The largest' }),
    stddev: Type.Number({ minimum: 0, description: 'Population standard deviation' }),
    firstEventTime: Iso8601,
    lastEventTime: Iso8601,
  },
  { $id: 'fieldlink.window-stats', title: 'WindowStats', additionalProperties: false },
);
export type WindowStatsRecord = Static<typeof WindowStatsSchema>;

export const AlertSchema = Type.Object(
  {
    schemaVersion: SchemaVersion,
    id: Type.String({ minLength: 1, description: 'Derived from the triggering telemetry id, so a re-emitted alert keeps its id' }),
    deviceId: DeviceId,
    metric: Type.String({ minLength: 1, description: 'The metric that is anomalous' }),
    state: Type.Union([Type.Literal('raised'), Type.Literal('cleared')], {
      description: 'One sustained anomaly gives one raised alert and one cleared alert',
    }),
    value: Type.Number({ description: 'The reading that raised or cleared the alert' }),
    expected: Type.Optional(
      Type.Object({ low: Type.Number({ description: 'Lower edge' }), high: Type.Number({ description: 'Upper edge' }) }, { additionalProperties: false, description: 'The band the detector considered normal' }),
    ),
    score: Type.Number({ minimum: 0, maximum: 1, description: 'How anomalous, 0 to 1; the detector\'s alertAbove raised it' }),
    detector: Type.String({ minLength: 1, description: 'The detector that scored it, e.g. gaussian' }),
    severity: Type.Union([Type.Literal('warning'), Type.Literal('high')], { description: 'high above alerts.highAbove (0.9), else warning' }),
    eventTime: Iso8601,
    telemetryId: Type.String({ minLength: 1, description: 'The telemetry message that raised or cleared the alert' }),
    raisedId: Type.Optional(Type.String({ description: 'On a cleared alert: the id of the alert it clears' })),
  },
  { $id: 'fieldlink.alerts', title: 'Alert', additionalProperties: false },
);
export type Alert = Static<typeof AlertSchema>;

export const DeviceRecordSchema = Type.Object(
  {
    schemaVersion: SchemaVersion,
    deviceId: DeviceId,
    protocol: Type.Union(SourceSchema.properties.protocol.anyOf, { description: 'The protocol the device speaks; its commands go to a gateway of it' }),
    gateway: Type.String({ minLength: 1, description: 'The gateway instance serving the device; its commands go there' }),
    ref: Type.String({ description: 'Native reference of its latest message: MQTT topic, CoAP path, OPC UA NodeId, DDS topic' }),
    route: Type.String({ description: 'The route its messages matched' }),
    firstSeen: Iso8601,
    lastSeen: Type.String({ format: 'date-time', description: 'Refreshed at most every registry.refreshMs, so it may lag by that much' }),
  },
  { $id: 'fieldlink.devices', title: 'DeviceRecord', additionalProperties: false },
);
export type DeviceRecord = Static<typeof DeviceRecordSchema>;

/** Every published schema, by the topic it describes. */
export const TOPIC_SCHEMAS = {
  telemetry: TelemetrySchema,
  'device-status': DeviceStatusSchema,
  'dead-letter': DeadLetterSchema,
  commands: CommandSchema,
  'command-results': CommandResultSchema,
  'window-stats': WindowStatsSchema,
  alerts: AlertSchema,
  devices: DeviceRecordSchema,
} as const;
