/**
 * What npm start runs: the five services from their build output with generated configs, and a
 * simulator per protocol. Ports and paths come from StackOptions so a test can run a second
 * stack beside the developer's.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { type ServiceMetrics, GATEWAY_METRICS, PROCESSOR_METRICS } from './live-view';

export interface StackOptions {
  root: string;
  /** Configs, logs, spools and PKI of this run. */
  dir: string;
  topicPrefix: string;
  /** Names this stack's gateway instances and MQTT clients, so a second stack does not take over the first one's sessions. */
  instance: string;
  /** The SASL_SSL listener the services use, as in production. */
  kafka: { brokers: string[]; caFile: string; username: string; password: string };
  mqttUrl: string;
  httpPortBase: number;
  coapPort: number;
  opcuaPort: number;
  /** Per simulator: how many devices. */
  devices: { mqtt: number; coap: number; opcua: number; dds: number };
  seed: number;
  firstAnomalyMs: number;
  anomalyEveryMs: number;
}

export interface ServiceSpec {
  name: string;
  httpPort: number;
  metrics: ServiceMetrics;
  env: NodeJS.ProcessEnv;
}

export interface SimulatorSpec {
  name: string;
  script: string;
  args: string[];
}

const SERVICES = ['stream-processor', 'mqtt-gateway', 'coap-gateway', 'opcua-gateway', 'dds-gateway'] as const;
export type ServiceName = (typeof SERVICES)[number];

export function serviceSpecs(o: StackOptions): ServiceSpec[] {
  const kafka = { brokers: o.kafka.brokers, tls: { caFile: o.kafka.caFile }, sasl: { mechanism: 'scram-sha-512', username: o.kafka.username } };
  const shared = (name: ServiceName) => ({ kafka, topics: { prefix: o.topicPrefix }, gateway: { instanceId: `${name.split('-')[0]}-${o.instance}` } });
  const processor = parse(readFileSync(join(o.root, 'tools', 'start', 'stream-processor.yaml'), 'utf8')) as { processor?: object };
  const spool = (name: ServiceName) => ({ spool: { dir: join(o.dir, 'spool', name) } });
  const own: Record<ServiceName, object> = {
    // Its own consumer group, apart from a stream processor run some other way on the same Kafka.
    'stream-processor': { ...processor, processor: { ...processor.processor, groupId: `${o.topicPrefix}stream-processor-${o.instance}` } },
    'mqtt-gateway': { mqtt: { url: o.mqttUrl }, ...spool('mqtt-gateway') },
    'coap-gateway': { coap: { port: o.coapPort, host: '127.0.0.1' }, ...spool('coap-gateway') },
    'opcua-gateway': {
      ...spool('opcua-gateway'),
      opcua: { sharding: { enabled: false }, pki: { dir: join(o.dir, 'opcua-gateway-pki') } },
      // Device ids as the simulator names its pumps, so the live view matches alerts to its anomalies;
      // commands may call Stop and Start (the pump-trip rule), nothing else.
      endpoints: [{ name: 'plc-1', url: `opc.tcp://127.0.0.1:${o.opcuaPort}`, browse: [{ path: '**', deviceId: '{object}' }], callable: ['*/Stop', '*/Start'] }],
    },
    'dds-gateway': spool('dds-gateway'),
  };
  return SERVICES.map((name, i) => {
    const config = join(o.dir, `${name}.yaml`);
    writeFileSync(config, stringify({ ...shared(name), ...own[name] }));
    const httpPort = o.httpPortBase + i;
    const env = { FIELDLINK_CONFIG: config, HTTP_PORT: String(httpPort), KAFKA_SASL_PASSWORD: o.kafka.password, LOG_LEVEL: 'info' };
    return { name, httpPort, metrics: name === 'stream-processor' ? PROCESSOR_METRICS : GATEWAY_METRICS, env };
  });
}

function fleetArgs(o: StackOptions, n: number, devices: number): string[] {
  return [
    '--devices', String(devices),
    '--seed', String(o.seed + n),
    // Staggered, so the first anomaly of each protocol shows on its own.
    '--first-anomaly-ms', String(o.firstAnomalyMs + n * 10_000),
    '--anomaly-every-ms', String(o.anomalyEveryMs),
  ];
}

/** The simulated PLC: a server, so it starts before its gateway. */
export function plcSimulator(o: StackOptions): SimulatorSpec {
  mkdirSync(join(o.dir, 'opcua-plc-pki'), { recursive: true });
  return { name: 'opcua-sim', script: 'opcua-plc.ts', args: [...fleetArgs(o, 2, o.devices.opcua), '--port', String(o.opcuaPort), '--pki', join(o.dir, 'opcua-plc-pki')] };
}

/** The devices that connect to their gateway: started once the gateways are ready. */
export function deviceSimulators(o: StackOptions): SimulatorSpec[] {
  return [
    { name: 'mqtt-sim', script: 'mqtt-devices.ts', args: [...fleetArgs(o, 0, o.devices.mqtt), '--url', o.mqttUrl, '--client-prefix', `sim-${o.instance}`] },
    { name: 'coap-sim', script: 'coap-devices.ts', args: [...fleetArgs(o, 1, o.devices.coap), '--port', String(o.coapPort)] },
    { name: 'dds-sim', script: 'dds-devices.ts', args: fleetArgs(o, 3, o.devices.dds) },
  ];
}
