import { GenericContainer, type StartedTestContainer, getContainerRuntimeClient } from 'testcontainers';
import { freePort } from './names';
import { run } from './processes';

export interface Infra {
  kafkaBrokers: string;
  mqttUrl: string;
  mqttPort: number;
  kind: 'containers' | 'local';
}

let shared: Promise<Infra> | undefined;
const containers: StartedTestContainer[] = [];

/**
 * The shared Kafka and Mosquitto for integration tests: containers when a
 * Docker engine answers, otherwise the local processes of `npm run infra:up`.
 * FIELDLINK_TEST_INFRA=local|containers forces one.
 */
export function sharedInfra(): Promise<Infra> {
  shared ??= pickInfra();
  return shared;
}

async function pickInfra(): Promise<Infra> {
  const mode = process.env['FIELDLINK_TEST_INFRA'] ?? 'auto';
  if (mode === 'containers' || (mode === 'auto' && (await engineAnswers()))) return startContainers();
  return localInfra();
}

async function engineAnswers(): Promise<boolean> {
  try {
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false; // no engine: the local-process path is the expected one here
  }
}

async function localInfra(): Promise<Infra> {
  const kafkaBrokers = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';
  const mqttPort = Number(process.env['MQTT_PORT'] ?? 1883);
  const probe = await run('kcat', ['-b', kafkaBrokers, '-L', '-m', '5'], { timeoutMs: 15_000 }).catch((e: Error) => ({ code: -1, stderr: e.message }));
  if (probe.code !== 0) {
    throw new Error(`no Kafka answers at ${kafkaBrokers} and no Docker engine is reachable: run "npm run infra:up" first (${probe.stderr.trim()})`);
  }
  return { kafkaBrokers, mqttUrl: `mqtt://127.0.0.1:${mqttPort}`, mqttPort, kind: 'local' };
}

async function startContainers(): Promise<Infra> {
  const kafkaPort = await freePort();
  const kafka = await new GenericContainer('apache/kafka:4.1.1')
    .withExposedPorts({ container: 9092, host: kafkaPort })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://0.0.0.0:9092,CONTROLLER://localhost:9093',
      // Clients on the host reach the broker through the fixed host port.
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${kafkaPort}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    })
    .start();
  containers.push(kafka);
  const mosquitto = await new GenericContainer('eclipse-mosquitto:2')
    .withExposedPorts(1883)
    .withCopyContentToContainer([
      {
        content: 'listener 1883 0.0.0.0\nallow_anonymous true\nmax_queued_messages 0\nmax_inflight_messages 1000\n',
        target: '/mosquitto/config/mosquitto.conf',
      },
    ])
    .start();
  containers.push(mosquitto);
  const mqttPort = mosquitto.getMappedPort(1883);
  return { kafkaBrokers: `127.0.0.1:${kafkaPort}`, mqttUrl: `mqtt://127.0.0.1:${mqttPort}`, mqttPort, kind: 'containers' };
}
