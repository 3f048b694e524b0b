import { type Static, Type } from '@sinclair/typebox';
import { type EnvOverride, SERVICE_ENV_OVERRIDES, ServiceConfigSchema } from '@fieldlink/service';

/**
 * The config sections every gateway has: the service's shared ones plus ingest and spool.
 * Each app adds its own protocol section.
 */
export const CoreConfigSchema = {
  ...ServiceConfigSchema,
  ingest: Type.Object(
    {
      maxPayloadBytes: Type.Integer({ minimum: 1, default: 256 * 1024, description: 'Larger payloads are dead-lettered' }),
      deadLetterMaxBytes: Type.Integer({
        minimum: 1,
        default: 4 * 1024 * 1024,
        description: 'Raw bytes kept in a dead-letter record; beyond this it is truncated and marked so',
      }),
    },
    { default: {}, additionalProperties: false },
  ),
  devices: Type.Object(
    {
      refreshMs: Type.Integer({ minimum: 1000, default: 300_000, description: 'How often a device that keeps sending has its registry record (lastSeen) rewritten' }),
      catchUpTimeoutMs: Type.Integer({
        minimum: 100,
        // Bounded: every command in a batch waits on it, and a routing decision should not lag by more.
        maximum: 8000,
        default: 3000,
        description: 'How long command routing waits for the device registry to catch up with Kafka before it decides from what it has',
      }),
      loadTimeoutMs: Type.Integer({
        minimum: 1000,
        default: 120_000,
        description: 'How long the first load of the device registry may take at startup before commands are routed from what is loaded (logged as an error)',
      }),
      maxDevices: Type.Integer({
        minimum: 1,
        default: 100_000,
        description:
          'Devices (of every gateway) the registry holds, about 0.5 KiB each; beyond this the one seen least recently is forgotten, and a command for it fails FL_COMMAND_UNKNOWN_DEVICE until it sends again',
      }),
      claimFromOtherProtocols: Type.Boolean({
        default: false,
        description:
          'Whether a message over this gateway’s protocol may take a device the registry has under another protocol (and with it the device’s commands). Off: the claim is refused, counted (fieldlink_device_claims_refused_total) and logged once per device, and its reading is still ingested; move a device to another protocol by writing a tombstone for its key to <prefix>devices',
      }),
    },
    { default: {}, additionalProperties: false },
  ),
  spool: Type.Object(
    {
      enabled: Type.Boolean({ default: true, description: 'Spool to disk while Kafka is down or behind, and acknowledge devices once on disk' }),
      dir: Type.Optional(
        Type.String({ minLength: 1, description: 'Spool directory (env SPOOL_DIR); default .fieldlink-spool/<service>-<instanceId> under the working directory. Use a persistent volume.' }),
      ),
      maxBytes: Type.Integer({ minimum: 1, default: 1024 ** 3, description: 'When the spool holds this much, or its volume is full, the overflow policy applies and /health/ready fails; lowered at startup (and logged) when the volume cannot hold it' }),
      maxAgeMs: Type.Integer({ minimum: 1, default: 7 * 24 * 3600_000, description: 'Spooled records older than this are dropped, counted and logged' }),
      segmentBytes: Type.Integer({ minimum: 4096, default: 64 * 1024 ** 2, description: 'Size of one spool segment file' }),
      highWaterMs: Type.Integer({
        minimum: 1,
        default: 1000,
        description: 'Kafka is behind when the oldest record waiting for it has waited this long: new records are then spooled. A load Kafka carries keeps every wait far below it, however many records are in flight',
      }),
      highWaterRecords: Type.Integer({ minimum: 1, default: 50_000, description: 'Records waiting for Kafka beyond which new ones are spooled, however fast Kafka takes them: a bound on the memory they hold' }),
      stallMs: Type.Integer({
        minimum: 1,
        default: 3000,
        description: 'A record waiting this long for Kafka counts as a Kafka failure: it and the records behind it are spooled (a black-holed path fails no send)',
      }),
      overflow: Type.Union([Type.Literal('block'), Type.Literal('drop-newest'), Type.Literal('drop-oldest'), Type.Literal('reject')], {
        default: 'block',
        description:
          'When the spool is full: block (stop acknowledging; MQTT brokers keep the messages), drop-newest (the new record), drop-oldest (the oldest spooled records), or reject (write nothing and tell the device to retry later, e.g. CoAP 5.03 with Max-Age; request/response protocols only); drops and rejections are counted and logged',
      }),
      retryAfterMs: Type.Integer({ minimum: 1000, default: 5000, description: 'overflow reject: how long a device is told to wait before retrying' }),
    },
    { default: {}, additionalProperties: false },
  ),
};

/** The core sections as one object schema, for tests and services with no section of their own. */
export const CoreConfigObject = Type.Object(CoreConfigSchema, { additionalProperties: false });
export type CoreConfig = Static<typeof CoreConfigObject>;

/** The env overrides every gateway honours. */
export const CORE_ENV_OVERRIDES: EnvOverride[] = [...SERVICE_ENV_OVERRIDES, { env: 'SPOOL_DIR', path: 'spool.dir', kind: 'string' }];
