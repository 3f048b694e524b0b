import { spawn } from 'node:child_process';
import { ServiceProcess, writeConfig } from './gateway-process';
import { type Infra } from './infra';
import { type MemoryCgroup } from './memory-cgroup';
import { freshName } from './names';
import { run } from './processes';
import { waitFor } from './wait-for';

export interface MqttGatewayUnderTest {
  gateway: ServiceProcess;
  /** Topic root of this test's MQTT mappings, e.g. it-1a2b3c4d. */
  root: string;
  /** Kafka topic prefix of this test, e.g. it-1a2b3c4d. */
  prefix: string;
  topic(name: string): string;
  brokers: string;
}

/**
 * Starts the built mqtt-gateway with this test's own MQTT topic root, Kafka
 * topic prefix and MQTT client id, so tests never see each other's data.
 */
export async function startMqttGateway(
  infra: Infra,
  options: {
    config?: (root: string) => Record<string, unknown>;
    brokers?: string;
    mqttUrl?: string;
    clientId?: string;
    waitReady?: boolean;
    env?: NodeJS.ProcessEnv;
    /** Topic root and Kafka prefix (root + '.'), for a test that prepares topics first. */
    root?: string;
    /** Runs the gateway under this memory limit, as in a container. */
    cgroup?: MemoryCgroup;
    /** Runs a production bundle installed there (installBundle) instead of the workspace's build output. */
    bundleDir?: string;
    /** What the gateway must never print (ServiceProcess `secrets`). */
    secrets?: readonly string[];
  } = {},
): Promise<MqttGatewayUnderTest> {
  const root = options.root ?? freshName('it');
  const prefix = `${root}.`;
  const brokers = options.brokers ?? infra.kafkaBrokers;
  const config = {
    mqtt: { sessionExpirySeconds: 600 },
    topics: { partitions: 3 },
    mappings: [
      { name: 'telemetry', topic: `${root}/sensors/{deviceId}/data` },
      { name: 'status', topic: `${root}/devices/{deviceId}/status`, kind: 'status' },
    ],
    commands: { topic: `${root}/commands/{deviceId}` },
    ...options.config?.(root),
  };
  const gateway = await ServiceProcess.start(
    'mqtt-gateway',
    {
      FIELDLINK_CONFIG: writeConfig(config),
      KAFKA_BROKERS: brokers,
      MQTT_URL: options.mqttUrl ?? infra.mqttUrl,
      MQTT_CLIENT_ID: options.clientId ?? `fieldlink-${root}`,
      TOPIC_PREFIX: prefix,
      GATEWAY_INSTANCE_ID: root,
      LOG_LEVEL: 'info',
      ...(options.bundleDir ? { NODE_PATH: '' } : {}),
      ...options.env,
    },
    {
      waitReady: options.waitReady ?? true,
      secrets: options.secrets ?? [],
      ...(options.cgroup ? { cgroup: options.cgroup } : {}),
      ...(options.bundleDir ? { dir: options.bundleDir } : {}),
    },
  );
  return { gateway, root, prefix, topic: (name) => `${prefix}${name}`, brokers };
}

/** Publishes lines as separate QoS 1 messages with mosquitto_pub (not our code). */
export async function mosquittoPubLines(port: number, topic: string, lines: string[]): Promise<void> {
  const result = await run('mosquitto_pub', ['-p', String(port), '-q', '1', '-t', topic, '-l'], {
    input: lines.join('\n') + '\n',
    timeoutMs: 120_000,
  });
  if (result.code !== 0) throw new Error(`mosquitto_pub failed: ${result.stderr}`);
}

/** Publishes one message (raw bytes allowed) with mosquitto_pub -s (payload from stdin). */
export async function mosquittoPub(port: number, topic: string, payload: Buffer): Promise<void> {
  const result = await run('mosquitto_pub', ['-p', String(port), '-q', '1', '-t', topic, '-s'], { input: payload, timeoutMs: 30_000 });
  if (result.code !== 0) throw new Error(`mosquitto_pub failed: ${result.stderr}`);
}

const PROBE = '__probe__';

/**
 * mosquitto_sub (not our code) collecting what arrives on a topic; resolves once it demonstrably
 * receives. A filter with wildcards needs a `probeTopic` it matches.
 */
export async function mosquittoSub(port: number, topic: string, probeTopic = topic): Promise<{ lines: string[]; close: () => void }> {
  const child = spawn('mosquitto_sub', ['-p', String(port), '-q', '1', '-t', topic, '-v']);
  const lines: string[] = [];
  let probed = false;
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const line of parts) {
      if (line.endsWith(PROBE)) probed = true;
      else lines.push(line);
    }
  });
  const close = () => child.kill();
  try {
    await waitFor(`mosquitto_sub on ${topic}`, async () => {
      await mosquittoPub(port, probeTopic, Buffer.from(PROBE));
      return probed;
    }, { timeoutMs: 15_000, intervalMs: 300 });
  } catch (error) {
    close();
    throw error;
  }
  return { lines, close };
}
