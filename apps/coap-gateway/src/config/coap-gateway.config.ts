import { type Static, Type } from '@sinclair/typebox';
import { CORE_ENV_OVERRIDES, CoreConfigSchema, RouteFields, RouteTable } from '@fieldlink/gateway-core';
import { type EnvOverride, ServiceError, ServiceErrorCode, loadConfig } from '@fieldlink/service';
import { UriPathPattern } from '../mapping/uri-path-pattern';
import { DeviceTokens } from './device-tokens';

// No decoder (the request's Content-Format picks it) and no command (commands.payload shapes every
// notification): keys a CoAP route would ignore are refused as unknown instead.
const RouteSchema = Type.Object(
  {
    ...Type.Omit(Type.Object(RouteFields), ['decoder', 'command']).properties,
    path: Type.String({ minLength: 1, description: 'URI path template, e.g. sensors/{deviceId}; each {name} captures one segment' }),
  },
  { additionalProperties: false },
);

const spool = CoreConfigSchema.spool;

/**
 * The default token option: the lowest experimental number (RFC 7252 §12.2) that is critical, so an
 * endpoint that does not know it refuses the request (4.02) instead of ignoring the credential,
 * safe-to-forward, so a proxy passes it on, and part of the cache key, so a cache never answers one
 * device's request with a response fetched under another's token (§5.4.6).
 */
const TOKEN_OPTION = 65001;

export const CoapGatewayConfigSchema = Type.Object(
  {
    ...CoreConfigSchema,
    // CoAP can answer "try again later" (5.03 with Max-Age), so reject is this gateway's default.
    spool: Type.Object({ ...spool.properties, overflow: Type.Union(spool.properties.overflow.anyOf, { ...spool.properties.overflow, default: 'reject' }) }, { default: {}, additionalProperties: false }),
    coap: Type.Object(
      {
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 5683, description: 'UDP port (env COAP_PORT)' }),
        host: Type.String({ default: '::', description: 'Bind address; :: takes IPv6 and IPv4 (dual stack)' }),
        ackTimeoutMs: Type.Integer({ minimum: 10, default: 2000, description: 'RFC 7252 ACK_TIMEOUT for command notifications' }),
        maxRetransmit: Type.Integer({ minimum: 0, maximum: 8, default: 4, description: 'RFC 7252 MAX_RETRANSMIT for command notifications' }),
        piggybackReplyMs: Type.Integer({
          minimum: 0,
          maximum: 1500,
          default: 50,
          description: 'How long a CON request waits for its answer before an empty ACK goes out and the answer follows as a separate confirmable response; keep it below ACK_TIMEOUT of the devices (2 s), or they retransmit',
        }),
        receiveBufferBytes: Type.Integer({
          minimum: 65_536,
          default: 4 * 1024 ** 2,
          description: "The UDP socket's receive buffer (SO_RCVBUF), shared by every device; the kernel caps it at net.core.rmem_max",
        }),
        maxCachedReplies: Type.Integer({
          minimum: 1,
          maximum: 1_000_000,
          default: 20_000,
          description:
            'Answers kept to answer a retransmitted request again without handling it twice (about 1 KB each; 5 KB for a separate response not yet acknowledged); the least recently sent is dropped beyond this, and a retransmission whose answer was dropped is handled again, under the same message id',
        }),
        maxBlockTransfers: Type.Integer({ minimum: 1, default: 1000, description: 'Block1 uploads held at once; the least recently continued is dropped beyond this' }),
        maxBlockTransferBytes: Type.Integer({
          minimum: 1,
          default: 32 * 1024 ** 2,
          description: 'Bytes all Block1 uploads together may hold; at least ingest.maxPayloadBytes. A block beyond it gets 5.03 with Max-Age, once uploads paused 10 s or more are dropped',
        }),
        maxLastReadings: Type.Integer({ minimum: 0, default: 10_000, description: 'Devices whose last reading is kept for GET; the least recently used is evicted beyond this' }),
        maxLastReadingsBytes: Type.Integer({ minimum: 0, default: 64 * 1024 ** 2, description: 'Payload bytes of the last readings kept for GET, over all devices' }),
        maxObservers: Type.Integer({ minimum: 1, default: 100_000, description: 'Observations of the command resource held; the least recently registered ends beyond this' }),
        auth: Type.Object(
          {
            tokenFile: Type.Optional(Type.String({ minLength: 1, description: 'Path to a file of "<deviceId> <token>" lines; unset: no device authentication (env COAP_TOKEN_FILE)' })),
            queryParameter: Type.String({ minLength: 1, default: 'token', description: 'URI query parameter carrying the token, e.g. /sensors/pump-1?token=...; kept for devices that cannot set tokenOption' }),
            tokenOption: Type.Integer({
              minimum: 65000,
              maximum: 65535,
              default: TOKEN_OPTION,
              description: 'CoAP option number carrying the token (UTF-8), taken before the query; from the experimental range 65000-65535 (RFC 7252 §12.2), critical, safe-to-forward and part of the cache key',
            }),
          },
          { default: {}, additionalProperties: false },
        ),
      },
      { default: {}, additionalProperties: false },
    ),
    commands: Type.Object(
      {
        path: Type.String({ minLength: 1, default: 'commands/{deviceId}', description: 'The resource a device observes (RFC 7641) to receive its commands' }),
        payload: Type.Optional(Type.Unknown({ description: 'JSON template of a command notification; default {"id", "action", "args", "expiresAt"}' })),
        persistObservations: Type.Boolean({
          default: true,
          description: 'Keep the observations of the command resource in coap-observations.json in the spool directory, so a restarted gateway still notifies the devices that observed it',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    routes: Type.Array(RouteSchema, {
      minItems: 1,
      default: [
        { name: 'sensors', path: 'sensors/{deviceId}', kind: 'telemetry' },
        // The seed's aiocoap devices POST to /sensors with the id in the body.
        { name: 'sensors-body', path: 'sensors', kind: 'telemetry', deviceIdField: 'device_id' },
      ],
    }),
  },
  { additionalProperties: false },
);

export type CoapGatewayConfig = Static<typeof CoapGatewayConfigSchema>;
/** A route as the shared pipeline takes it: its decoder is set per request from the Content-Format. */
export type CoapRoute = Static<typeof RouteSchema> & { decoder: 'json' };

/** What the loader builds from the config, once: the adapter's parts use these instead of building their own. */
export interface CoapRuntime {
  routes: RouteTable<string, CoapRoute>;
  /** commands.path: the resource a device observes for its commands. */
  commandResource: UriPathPattern;
  /** The device tokens from coap.auth.tokenFile, read at load; undefined when authentication is off. */
  tokens: DeviceTokens | undefined;
}

export type CoapRuntimeConfig = CoapGatewayConfig & { runtime: CoapRuntime };

export const COAP_ENV_OVERRIDES: EnvOverride[] = [...CORE_ENV_OVERRIDES, { env: 'COAP_PORT', path: 'coap.port', kind: 'integer' },
  { env: 'COAP_TOKEN_FILE', path: 'coap.auth.tokenFile', kind: 'string' },
];

/** Loads and validates the config and builds its runtime parts; a bad route or token file stops startup. */
export function loadCoapGatewayConfig(env: NodeJS.ProcessEnv): CoapRuntimeConfig {
  const config = loadConfig({ schema: CoapGatewayConfigSchema, overrides: COAP_ENV_OVERRIDES, env });
  const routes = new RouteTable(
    config.routes.map((r): CoapRoute => ({ ...r, decoder: 'json' })),
    (r) => new UriPathPattern(r.path),
    'routes',
    'path',
  );
  const commandResource = commandPath(config);
  if (config.coap.maxBlockTransferBytes < config.ingest.maxPayloadBytes) {
    throw new ServiceError(ServiceErrorCode.ConfigInvalid, `config key "coap.maxBlockTransferBytes": must be at least ingest.maxPayloadBytes (${config.ingest.maxPayloadBytes}), or no upload of that size could finish`);
  }
  const tokens = config.coap.auth.tokenFile ? deviceTokens(config.coap.auth.tokenFile) : undefined;
  checkTokenOption(config.coap.auth.tokenOption);
  return { ...config, runtime: { routes, commandResource, tokens } };
}

/** The token file, read and checked; a problem names the config key, so startup exits 2. */
function deviceTokens(path: string): DeviceTokens {
  try {
    return DeviceTokens.load(path);
  } catch (error) {
    // Not instanceof Error: fs errors can come from another realm (Jest's sandbox).
    const reason = typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);
    throw new ServiceError(ServiceErrorCode.ConfigInvalid, `config key "coap.auth.tokenFile": ${reason}`);
  }
}

/** RFC 7252 §5.4.6: a NoCacheKey option would let a proxy cache answer a request with a response fetched under another device's token. */
function checkTokenOption(option: number): void {
  if ((option & 0x1e) === 0x1c) {
    throw new ServiceError(ServiceErrorCode.ConfigInvalid, `config key "coap.auth.tokenOption": ${option} is a NoCacheKey option (RFC 7252 §5.4.6); a cache would not tell devices apart by their token, so pick one that is part of the cache key, e.g. ${TOKEN_OPTION}`);
  }
}

/** The command resource's path template; it must capture {deviceId}. */
function commandPath(config: CoapGatewayConfig): UriPathPattern {
  const pattern = new UriPathPattern(config.commands.path);
  if (!pattern.names.includes('deviceId')) throw new ServiceError(ServiceErrorCode.ConfigInvalid, `config key "commands.path": must capture {deviceId}, e.g. commands/{deviceId}`);
  return pattern;
}
