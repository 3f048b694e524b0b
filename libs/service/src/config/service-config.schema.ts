import { hostname } from 'node:os';
import { type Static, Type } from '@sinclair/typebox';

/** TLS material by file path, for a client connection (Kafka, an MQTT broker, …). */
export const TlsFilesSchema = Type.Object(
  {
    caFile: Type.Optional(Type.String({ description: 'PEM file of the CA the server\'s certificate must chain to; default the system CAs' })),
    certFile: Type.Optional(Type.String({ description: 'PEM client certificate, for servers that ask for one (mutual TLS)' })),
    keyFile: Type.Optional(Type.String({ description: 'PEM private key of certFile' })),
    rejectUnauthorized: Type.Boolean({ default: true, description: 'false accepts any server certificate: for tests only' }),
  },
  { additionalProperties: false },
);

/**
 * The config sections every service shares. Each app adds its own sections; the
 * TypeScript type is derived from the schema, never written twice.
 */
export const ServiceConfigSchema = {
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
      clientId: Type.Optional(Type.String({ minLength: 1, description: 'Kafka client id, in broker logs and quotas; default <service>-<instanceId>' })),
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
            mechanism: Type.Union([Type.Literal('plain'), Type.Literal('scram-sha-256'), Type.Literal('scram-sha-512')], { description: 'SASL mechanism; plain only over TLS' }),
            username: Type.String({ minLength: 1, description: 'SASL user (env KAFKA_SASL_USERNAME)' }),
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
  http: Type.Object(
    {
      port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'Health and metrics (env HTTP_PORT)' }),
      host: Type.String({ default: '0.0.0.0', description: 'Address the health and metrics server listens on; its endpoints are unauthenticated (SECURITY.md)' }),
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
  shutdown: Type.Object(
    {
      drainTimeoutMs: Type.Integer({ minimum: 0, default: 10_000, description: 'How long SIGTERM waits for in-flight messages' }),
    },
    { default: {}, additionalProperties: false },
  ),
};

/** The shared sections as one object schema. */
export const ServiceConfigObject = Type.Object(ServiceConfigSchema, { additionalProperties: false });
export type ServiceConfig = Static<typeof ServiceConfigObject>;
