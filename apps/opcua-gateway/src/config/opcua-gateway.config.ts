import { type Static, Type } from '@sinclair/typebox';
import { CORE_ENV_OVERRIDES, CoreConfigSchema } from '@fieldlink/gateway-core';
import { type EnvOverride, loadConfig } from '@fieldlink/service';
import { BrowsePattern } from '../mapping/browse-pattern';
import { invalid, password } from './password';

const SecurityMode = Type.Union([Type.Literal('None'), Type.Literal('Sign'), Type.Literal('SignAndEncrypt')], { default: 'None', description: 'OPC UA message security of the session' });
const SecurityPolicy = Type.Union(
  [Type.Literal('None'), Type.Literal('Basic256Sha256'), Type.Literal('Aes128_Sha256_RsaOaep'), Type.Literal('Aes256_Sha256_RsaPss')],
  { default: 'None', description: 'With securityMode Sign or SignAndEncrypt, one of Basic256Sha256, Aes128_Sha256_RsaOaep, Aes256_Sha256_RsaPss' },
);

const Identity = Type.Union(
  [
    Type.Object({ type: Type.Literal('anonymous') }, { additionalProperties: false }),
    Type.Object(
      {
        type: Type.Literal('username'),
        username: Type.String({ minLength: 1 }),
        passwordEnv: Type.Optional(Type.String({ minLength: 1, description: 'Environment variable holding the password' })),
        passwordFile: Type.Optional(Type.String({ minLength: 1, description: 'File holding the password (a mounted secret); trailing newlines are ignored' })),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        type: Type.Literal('certificate'),
        certificateFile: Type.String({ minLength: 1, description: 'PEM user certificate' }),
        privateKeyFile: Type.String({ minLength: 1, description: 'PEM private key of that certificate' }),
      },
      { additionalProperties: false },
    ),
  ],
  { default: { type: 'anonymous' }, description: 'How the session authenticates: anonymous, a user name and password, or a user certificate' },
);

const Deadband = Type.Object(
  {
    type: Type.Union([Type.Literal('absolute'), Type.Literal('percent')], { description: 'absolute: in the variable\'s units; percent: of its EURange' }),
    value: Type.Number({ minimum: 0, description: 'The change below which no value is reported' }),
  },
  { additionalProperties: false, description: 'Report a change only beyond this (OPC UA DataChangeFilter); percent needs the variable’s EURange' },
);

/** How one monitored item samples; every field falls back to opcua.sampling. */
const SamplingFields = {
  samplingIntervalMs: Type.Optional(Type.Integer({ minimum: 0, description: 'Requested sampling interval; 0 asks for the fastest the server offers' })),
  queueSize: Type.Optional(Type.Integer({ minimum: 1, description: 'Values the server queues per item between publishes' })),
  deadband: Type.Optional(Deadband),
};

const BrowsePathPattern = Type.String({ minLength: 1, description: 'Browse path below Objects: * matches one name (or part of one), ** any number of levels' });

const NodeSelector = Type.Object(
  {
    nodeId: Type.String({ minLength: 1, description: 'An explicit NodeId, e.g. ns=2;s=Line1.Temperature' }),
    deviceId: Type.String({ minLength: 1, description: 'The device this variable belongs to' }),
    metric: Type.Optional(Type.String({ minLength: 1, description: 'Metric name; default the variable’s BrowseName' })),
    writable: Type.Boolean({ default: false, description: 'A command may write this variable by its metric name' }),
    ...SamplingFields,
  },
  { additionalProperties: false },
);

const BrowseSelector = Type.Object(
  {
    path: Type.String({
      minLength: 1,
      description: 'BrowseName pattern below Objects, segments separated by "/": * matches one name (or part of one), ** any number of levels; e.g. Plant/Line*/**',
    }),
    deviceId: Type.Optional(
      Type.String({ minLength: 1, description: 'Template; {endpoint} is the endpoint name, {object} the parent object’s BrowseName. Default {endpoint}/{object}, so two PLCs that each have a Pump1 are two devices' }),
    ),
    metric: Type.Optional(Type.String({ minLength: 1, description: 'Template; {variable} is the variable’s BrowseName (the default), {object} its parent’s' })),
    ...SamplingFields,
  },
  { additionalProperties: false },
);

const EndpointSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, pattern: '^[A-Za-z0-9._-]+$', description: 'Labels metrics and status records; default <host>-<port> of the URL' })),
    url: Type.String({ pattern: '^opc\\.tcp://', description: 'opc.tcp://host:port[/path]' }),
    securityMode: SecurityMode,
    securityPolicy: SecurityPolicy,
    identity: Identity,
    nodes: Type.Array(NodeSelector, { default: [], description: 'Variables named by NodeId' }),
    browse: Type.Array(BrowseSelector, { default: [], description: 'Variables found by browsing; with no nodes and no browse entries, every Variable below Objects' }),
    writable: Type.Array(BrowsePathPattern, {
      default: [],
      description:
        'Variables a command may write by metric name (args.metric), by browse path below Objects, patterns as in browse, e.g. Line1/Pump*/Setpoint. Default none: any other write fails FL_OPCUA_NOT_ALLOWED and the PLC is not contacted',
    }),
    callable: Type.Array(BrowsePathPattern, {
      default: [],
      description: 'Methods a command may call by name (args.method) on its device’s object, by browse path, e.g. Line1/Pump*/Reset or **/Reset. Default none',
    }),
    commandNodes: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description:
        'NodeIds a command may name raw in args.nodeId, objectId or methodId (methods of a listed object may then be called by name). Default none: a raw NodeId fails FL_OPCUA_NODE_ID_NOT_ALLOWED',
    }),
  },
  { additionalProperties: false },
);

export const OpcuaGatewayConfigSchema = Type.Object(
  {
    ...CoreConfigSchema,
    opcua: Type.Object(
      {
        endpointUrls: Type.Array(Type.String({ pattern: '^opc\\.tcp://' }), {
          default: [],
          description: 'Endpoints with every default (zero-config discovery), env OPCUA_ENDPOINTS, comma-separated; added to endpoints',
        }),
        applicationUri: Type.String({ minLength: 1, default: 'urn:fieldlink:opcua-gateway', description: 'The client’s ApplicationUri; its certificate carries it in subjectAltName' }),
        requireSecurity: Type.Boolean({ default: false, description: 'Refuse endpoints configured with securityMode None' }),
        pki: Type.Object(
          {
            dir: Type.String({
              minLength: 1,
              default: '.fieldlink-pki/opcua-gateway',
              description: 'PKI folder (env OPCUA_PKI_DIR): own/ holds the client certificate (made on first start), trusted/certs/ and rejected/ the server certificates. Trust a server by moving its certificate from rejected/ to trusted/certs/',
            }),
            acceptUnknownServerCertificates: Type.Boolean({ default: false, description: 'Trust any server certificate on first sight; for labs only' }),
          },
          { default: {}, additionalProperties: false },
        ),
        reconnect: Type.Object(
          {
            initialDelayMs: Type.Integer({ minimum: 10, default: 1000, description: 'First wait before reconnecting an endpoint; doubled each failure' }),
            maxDelayMs: Type.Integer({ minimum: 10, default: 30_000, description: 'Longest wait between attempts' }),
            connectTimeoutMs: Type.Integer({ minimum: 100, default: 10_000, description: 'One connection attempt (TCP, secure channel, session) gives up after this' }),
          },
          { default: {}, additionalProperties: false },
        ),
        sampling: Type.Object(
          {
            samplingIntervalMs: Type.Integer({ minimum: 0, default: 1000, description: 'Requested sampling interval of every monitored item unless its browse or node entry sets one' }),
            queueSize: Type.Integer({ minimum: 1, default: 10, description: 'Values the server queues per item between publishes, unless set per entry' }),
            publishingIntervalMs: Type.Integer({ minimum: 10, default: 1000, description: 'How often the server sends the queued changes' }),
            deadband: Type.Optional(Deadband),
          },
          { default: {}, additionalProperties: false },
        ),
        sharding: Type.Object(
          {
            enabled: Type.Boolean({
              default: true,
              description: 'Share the endpoints between replicas by Kafka consumer-group membership; every replica must list the same endpoints. Off: this replica serves all of them',
            }),
            groupId: Type.Optional(Type.String({ minLength: 1, description: 'Consumer group of the replicas; default <prefix>opcua-gateway-endpoints' })),
            sessionTimeoutMs: Type.Integer({ minimum: 3000, default: 10_000, description: 'A replica silent this long loses its endpoints to the others' }),
            heartbeatIntervalMs: Type.Integer({ minimum: 100, default: 1000, description: 'How often a replica tells the group coordinator it is alive; well below sessionTimeoutMs' }),
            handoverDelayMs: Type.Integer({ minimum: 0, default: 3000, description: 'A replica given an endpoint waits this long before connecting, so the previous owner has closed its session' }),
          },
          { default: {}, additionalProperties: false },
        ),
        discovery: Type.Object(
          {
            maxVariables: Type.Integer({ minimum: 1, default: 50_000, description: 'Browsing stops, with a warning, after this many variables per endpoint' }),
            maxDepth: Type.Integer({ minimum: 1, default: 16, description: 'Browsing goes no deeper below Objects' }),
          },
          { default: {}, additionalProperties: false },
        ),
      },
      { default: {}, additionalProperties: false },
    ),
    endpoints: Type.Array(EndpointSchema, { default: [], description: 'OPC UA servers to read; replicas with the same list share them (opcua.sharding)' }),
  },
  { additionalProperties: false },
);

export type OpcuaGatewayConfig = Static<typeof OpcuaGatewayConfigSchema>;
export type Identity = Static<typeof Identity>;
/** An identity as sessions use it: a username identity carries its password, read once at load. */
export type RuntimeIdentity = Exclude<Identity, { type: 'username' }> | (Extract<Identity, { type: 'username' }> & { password: string });
/** An endpoint as sessions use it: named, checked, its secrets read. */
export type EndpointConfig = Omit<Static<typeof EndpointSchema>, 'identity'> & { name: string; identity: RuntimeIdentity };
export type NodeSelectorConfig = Static<typeof NodeSelector>;
export type BrowseSelectorConfig = Static<typeof BrowseSelector>;
export type SamplingConfig = OpcuaGatewayConfig['opcua']['sampling'];

/** What the loader builds from the config, once: the adapter's parts use these instead of building their own. */
export interface OpcuaRuntime {
  /** endpoints and opcua.endpointUrls together. */
  endpoints: EndpointConfig[];
}

export type OpcuaRuntimeConfig = OpcuaGatewayConfig & { runtime: OpcuaRuntime };

export const OPCUA_ENV_OVERRIDES: EnvOverride[] = [
  ...CORE_ENV_OVERRIDES,
  { env: 'OPCUA_ENDPOINTS', path: 'opcua.endpointUrls', kind: 'list' },
  { env: 'OPCUA_PKI_DIR', path: 'opcua.pki.dir', kind: 'string' },
];

/**
 * Loads and validates the config and builds its runtime parts, passwords read from the environment
 * given or their files; the checks the schema cannot express name their key too, so startup exits 2.
 */
export function loadOpcuaGatewayConfig(env: NodeJS.ProcessEnv): OpcuaRuntimeConfig {
  const config = loadConfig({ schema: OpcuaGatewayConfigSchema, overrides: OPCUA_ENV_OVERRIDES, env });
  const endpoints = endpointsOf(config, env);
  const { sessionTimeoutMs, heartbeatIntervalMs } = config.opcua.sharding;
  if (heartbeatIntervalMs * 3 > sessionTimeoutMs) throw invalid('opcua.sharding.heartbeatIntervalMs', `must be at most a third of sessionTimeoutMs (${sessionTimeoutMs})`);
  return { ...config, runtime: { endpoints } };
}

/** Every endpoint with its name, checked: names unique, security consistent, selectors and secrets valid. */
function endpointsOf(config: OpcuaGatewayConfig, env: NodeJS.ProcessEnv): EndpointConfig[] {
  const listed = config.endpoints.map((e, i) => ({ endpoint: e, key: `endpoints.${i}` }));
  const fromUrls = config.opcua.endpointUrls.map((url, i) => ({
    endpoint: {
      name: undefined as string | undefined,
      url,
      securityMode: 'None' as const,
      securityPolicy: 'None' as const,
      identity: { type: 'anonymous' as const },
      nodes: [],
      browse: [],
      writable: [],
      callable: [],
      commandNodes: [],
    },
    key: `opcua.endpointUrls.${i}`,
  }));
  const seen = new Map<string, string>();
  return [...listed, ...fromUrls].map(({ endpoint, key }) => {
    const name = endpoint.name ?? defaultName(endpoint.url, key);
    const other = seen.get(name);
    if (other) throw invalid(`${key}.name`, `"${name}" is also the name of ${other}; give each endpoint its own name`);
    seen.set(name, key);
    checkSecurity(endpoint, key, config.opcua.requireSecurity);
    const identity: RuntimeIdentity = endpoint.identity.type === 'username' ? { ...endpoint.identity, password: password(endpoint.identity, `${key}.identity`, env) } : endpoint.identity;
    endpoint.browse.forEach((b, j) => checkPattern(b.path, `${key}.browse.${j}.path`));
    endpoint.writable.forEach((path, j) => checkPattern(path, `${key}.writable.${j}`));
    endpoint.callable.forEach((path, j) => checkPattern(path, `${key}.callable.${j}`));
    return { ...endpoint, name, identity };
  });
}

function checkPattern(path: string, key: string): void {
  try {
    new BrowsePattern(path);
  } catch (error) {
    throw invalid(key, error instanceof Error ? error.message : String(error));
  }
}

function checkSecurity(endpoint: { securityMode: string; securityPolicy: string; identity: Identity }, key: string, required: boolean): void {
  if (endpoint.securityMode === 'None') {
    if (required) throw invalid(`${key}.securityMode`, 'is None, but opcua.requireSecurity refuses unsecured endpoints; use Sign or SignAndEncrypt');
    // Over None a password goes in clear unless the server's user token policy happens to name a
    // policy of its own, which is only known once connected; and an unsigned channel can be taken over
    // after a user has logged in, whatever the identity.
    if (endpoint.identity.type !== 'anonymous') {
      throw invalid(`${key}.securityMode`, `is None, which would use the ${endpoint.identity.type} identity (${key}.identity) over an unsigned, unencrypted channel; use Sign or SignAndEncrypt with a securityPolicy, or an anonymous identity`);
    }
    if (endpoint.securityPolicy !== 'None') throw invalid(`${key}.securityPolicy`, 'must be None when securityMode is None');
  } else if (endpoint.securityPolicy === 'None') {
    throw invalid(`${key}.securityPolicy`, `securityMode ${endpoint.securityMode} needs a policy: Basic256Sha256, Aes128_Sha256_RsaOaep or Aes256_Sha256_RsaPss`);
  }
}

function defaultName(url: string, key: string): string {
  try {
    const { hostname, port } = new URL(url.replace(/^opc\.tcp:/, 'http:'));
    return `${hostname.replace(/[^A-Za-z0-9.-]/g, '')}-${port || '4840'}`;
  } catch {
    throw invalid(key, 'is not a valid opc.tcp:// URL');
  }
}
