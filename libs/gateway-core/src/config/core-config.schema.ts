import { hostname } from 'node:os';
import { type Static, Type } from '@sinclair/typebox';

/** TLS material by file path, for a client connection (Kafka, an MQTT broker, …). */
export const TlsFilesSchema = Type.Object(
  {
    caFile: Type.Optional(Type.String()),
    certFile: Type.Optional(Type.String()),
    keyFile: Type.Optional(Type.String()),
    rejectUnauthorized: Type.Boolean({ default: true }),
  },
  { additionalProperties: false },
);

/**
 * The config sections every gateway shares. Each app adds its own protocol
 * section; the TypeScript type is derived from the schema, never written twice.
 */
export const CoreConfigSchema = {
  gateway: Type.Object(
    {
      instanceId: Type.String({ minLength: 1, default: hostname(), description: 'Names this replica in envelopes and logs' }),
    },
    { default: {}, additionalProperties: false },
  ),
  kafka: Type.Object(
    {
      brokers: Type.Array(Type.String({ minLength: 1 }), {
        minItems: 1,
        default: ['127.0.0.1:9092'],
        description: 'Bootstrap brokers (env KAFKA_BROKERS, comma-separated)',
      }),
      clientId: Type.Optional(Type.String({ minLength: 1 })),
      compression: Type.Union([Type.Literal('none'), Type.Literal('gzip')], {
        default: 'none',
        description: 'none suits loopback and LAN links, where gzip costs more CPU and latency than it saves',
      }),
      tls: Type.Optional(TlsFilesSchema),
      watchdog: Type.Object(
        {
          stallMs: Type.Integer({
            // An idle consumer shows progress once per fetch, and a fetch waits up to 5 s for data.
            minimum: 10_000,
            default: 60_000,
            description:
              'Records waiting (spooled or in flight) or a consumer not fetching, while Kafka answers a fresh connection, with nothing delivered for this long: the Kafka clients are rebuilt; if that does not help within as long again, /health/live fails',
          }),
        },
        { default: {}, additionalProperties: false },
      ),
      sasl: Type.Optional(
        Type.Object(
          {
            mechanism: Type.Union([Type.Literal('plain'), Type.Literal('scram-sha-256'), Type.Literal('scram-sha-512')]),
            username: Type.String({ minLength: 1 }),
            password: Type.String({ minLength: 1, description: 'Secret: set KAFKA_SASL_PASSWORD instead of writing it here' }),
          },
          { additionalProperties: false },
        ),
      ),
    },
    { default: {}, additionalProperties: false },
  ),
  topics: Type.Object(
    {
      prefix: Type.String({ default: 'fieldlink.', description: 'Topic names are <prefix><name>' }),
      partitions: Type.Integer({ minimum: 1, default: 6, description: 'Partitions for topics this service creates' }),
      replicationFactor: Type.Integer({ minimum: -1, default: -1, description: '-1 uses the broker default' }),
    },
    { default: {}, additionalProperties: false },
  ),
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
  http: Type.Object(
    {
      port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'Health and metrics (env HTTP_PORT)' }),
      host: Type.String({ default: '0.0.0.0' }),
    },
    { default: {}, additionalProperties: false },
  ),
  log: Type.Object(
    {
      level: Type.Union(
        ['fatal', 'error', 'warn', 'info', 'debug', 'trace'].map((l) => Type.Literal(l)),
        { default: 'info', description: 'env LOG_LEVEL' },
      ),
    },
    { default: {}, additionalProperties: false },
  ),
  spool: Type.Object(
    {
      enabled: Type.Boolean({ default: true, description: 'Spool to disk while Kafka is down or behind, and acknowledge devices once on disk' }),
      dir: Type.Optional(
        Type.String({ minLength: 1, description: 'Spool directory (env SPOOL_DIR); default .fieldlink-spool/<service>-<instanceId> under the working directory. Use a persistent volume.' }),
      ),
      maxBytes: Type.Integer({ minimum: 1, default: 1024 ** 3, description: 'When the spool holds this much, the overflow policy applies and /health/ready fails' }),
      maxAgeMs: Type.Integer({ minimum: 1, default: 7 * 24 * 3600_000, description: 'Spooled records older than this are dropped, counted and logged' }),
      segmentBytes: Type.Integer({ minimum: 4096, default: 64 * 1024 ** 2, description: 'Size of one spool segment file' }),
      highWaterRecords: Type.Integer({ minimum: 1, default: 5000, description: 'Records waiting for Kafka beyond which new ones are spooled' }),
      stallMs: Type.Integer({
        minimum: 1,
        default: 3000,
        description: 'A record waiting this long for Kafka counts as a Kafka failure: it and the records behind it are spooled (a black-holed path fails no send)',
      }),
      overflow: Type.Union([Type.Literal('block'), Type.Literal('drop-newest'), Type.Literal('drop-oldest')], {
        default: 'block',
        description:
          'When the spool is full: block (stop acknowledging; MQTT brokers keep the messages), drop-newest (the new record) or drop-oldest (the oldest spooled records); drops are counted and logged',
      }),
    },
    { default: {}, additionalProperties: false },
  ),
  shutdown: Type.Object(
    {
      drainTimeoutMs: Type.Integer({ minimum: 0, default: 10_000, description: 'How long SIGTERM waits for in-flight messages' }),
    },
    { default: {}, additionalProperties: false },
  ),
};

/** The core sections as one object schema, for services with no section of their own. */
export const CoreConfigObject = Type.Object(CoreConfigSchema, { additionalProperties: false });
export type CoreConfig = Static<typeof CoreConfigObject>;
