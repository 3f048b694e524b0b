import { type ChildProcess, spawn } from 'node:child_process';
import { type MqttClient } from 'mqtt';
import { benchArgs, type Infra, ServiceProcess, exited, freshName, nowMs, quantile, round, run, runBench, sharedInfra, waitFor, writeConfig } from '@fieldlink/testing';
import { KafkaWatch } from './kafka-watch';
import { PAYLOAD_BYTES, connectPublisher, payload, publishLoad } from './load';

const DEVICES = 100;
const HALF_RATE_SECONDS = 15;
const HALF_RATE_FIRST_SEQ = 10_000_000;

export interface PipelineFigures {
  msgPerSec: number;
  /** Latency from MQTT publish to readable in Kafka, while publishing at full speed. */
  fullLoad: { p50Ms: number; p99Ms: number };
  /** The same at half the sustained rate. */
  halfRate: { rate: number; messages: number; p50Ms: number; p99Ms: number };
}

type Extract = (line: string) => { seq: number; t: number } | undefined;

const fromEnvelope: Extract = (line) => {
  const envelope = JSON.parse(line) as { values?: Record<string, { value: unknown }> };
  const seq = envelope.values?.['seq']?.value;
  const t = envelope.values?.['t']?.value;
  return typeof seq === 'number' && typeof t === 'number' ? { seq, t } : undefined;
};

const fromRaw: Extract = (line) => {
  const body = JSON.parse(line) as { seq?: unknown; t?: unknown };
  return typeof body.seq === 'number' && typeof body.t === 'number' ? { seq: body.seq, t: body.t } : undefined;
};

const progress = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

/**
 * The MQTT → Kafka benchmark: the gateway against `mosquitto_sub -q 1 | kcat -P`
 * on the same broker, Kafka and load, in one run.
 */
export async function mqttBench(infra: Infra, messages: number): Promise<Record<string, unknown>> {
  const id = freshName('bench');
  const publisher = await connectPublisher(infra.mqttUrl, `${id}-load`);
  try {
    progress(`load generator alone: ${messages} QoS 1 messages of ${PAYLOAD_BYTES} bytes, ${DEVICES} device topics`);
    const generator = await publishLoad(publisher, { topics: topics(`${id}/gen`), firstSeq: 0, count: messages });
    progress(`load generator: ${Math.round(generator)} msg/s`);

    progress('baseline: mosquitto_sub -q 1 | kcat -P');
    const baseline = await measure(infra, publisher, `${id}/base`, `${id}.baseline`, fromRaw, messages, () =>
      startBaseline(infra, `${id}/base/+/data`, `${id}.baseline`, `${id}-base`),
    );

    progress('gateway: mqtt-gateway on its defaults (acks after Kafka, idempotent acks=all)');
    const gateway = await measure(infra, publisher, `${id}/gw`, `${id}.telemetry`, fromEnvelope, messages, () =>
      startGateway(infra, id),
    );

    return {
      bench: 'mqtt',
      messages,
      payloadBytes: PAYLOAD_BYTES,
      generator: { msgPerSec: Math.round(generator), headroom: round(generator / Math.max(gateway.msgPerSec, baseline.msgPerSec), 2) },
      gateway,
      baseline,
      ratio: round(gateway.msgPerSec / baseline.msgPerSec, 3),
    };
  } finally {
    await publisher.endAsync();
  }
}

function topics(root: string): string[] {
  return Array.from({ length: DEVICES }, (_, d) => `${root}/dev-${String(d).padStart(3, '0')}/data`);
}

async function measure(
  infra: Infra,
  publisher: MqttClient,
  root: string,
  kafkaTopic: string,
  extract: Extract,
  messages: number,
  start: () => Promise<() => Promise<void>>,
): Promise<PipelineFigures> {
  const stop = await start();
  const watch = new KafkaWatch(infra.kafkaBrokers, kafkaTopic, extract, (seq) => (seq >= HALF_RATE_FIRST_SEQ ? 1 : 0));
  try {
    const deviceTopics = topics(root);
    await waitFor('the pipeline to pass a probe message', async () => {
      await publishLoad(publisher, { topics: deviceTopics, firstSeq: -1, count: 1 });
      return watch.has(-1);
    }, { timeoutMs: 60_000, intervalMs: 500 });

    watch.latencies = [];
    const t0 = nowMs();
    await publishLoad(publisher, { topics: deviceTopics, firstSeq: 0, count: messages });
    await withFiller(publisher, deviceTopics[0], () => watch.waitForCount(0, messages, 600_000));
    const msgPerSec = (messages * 1000) / (watch.lastAt - t0);
    const full = sorted(watch.latencies);
    progress(`  sustained ${Math.round(msgPerSec)} msg/s; p50 ${round(quantile(full, 0.5))} ms, p99 ${round(quantile(full, 0.99))} ms at full load`);

    const rate = Math.max(1, Math.round(msgPerSec / 2));
    const halfCount = Math.max(1000, Math.min(messages, rate * HALF_RATE_SECONDS));
    progress(`  half rate: ${rate} msg/s for ${halfCount} messages`);
    watch.latencies = [];
    await publishLoad(publisher, { topics: deviceTopics, firstSeq: HALF_RATE_FIRST_SEQ, count: halfCount, rate });
    await withFiller(publisher, deviceTopics[0], () => watch.waitForCount(1, halfCount, 300_000));
    const half = sorted(watch.latencies);
    progress(`  p50 ${round(quantile(half, 0.5))} ms, p99 ${round(quantile(half, 0.99))} ms at half rate`);
    return {
      msgPerSec: Math.round(msgPerSec),
      fullLoad: { p50Ms: round(quantile(full, 0.5)), p99Ms: round(quantile(full, 0.99)) },
      halfRate: { rate, messages: halfCount, p50Ms: round(quantile(half, 0.5)), p99Ms: round(quantile(half, 0.99)) },
    };
  } finally {
    watch.close();
    await stop();
  }
}

/**
 * Debian's kcat 1.7 -P holds the last line it read until more input arrives, so
 * the tail of a run would never reach Kafka. Both pipelines get the same trickle
 * of filler messages (seq -3, not measured) while we wait for the tail.
 */
async function withFiller(publisher: MqttClient, topic: string, wait: () => Promise<void>): Promise<void> {
  const timer = setInterval(() => publisher.publish(topic, payload(-3), { qos: 1 }), 20);
  try {
    await wait();
  } finally {
    clearInterval(timer);
  }
}

function sorted(values: number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

async function startGateway(infra: Infra, id: string): Promise<() => Promise<void>> {
  const gateway = await ServiceProcess.start('mqtt-gateway', {
    FIELDLINK_CONFIG: writeConfig({
      mappings: [{ name: 'bench', topic: `${id}/gw/{deviceId}/data` }],
      topics: { partitions: 3 },
      mqtt: { sessionExpirySeconds: 60 },
    }),
    KAFKA_BROKERS: infra.kafkaBrokers,
    MQTT_URL: infra.mqttUrl,
    MQTT_CLIENT_ID: `${id}-gw`,
    TOPIC_PREFIX: `${id}.`,
    LOG_LEVEL: 'warn',
  });
  return async () => {
    await gateway.stop();
  };
}

async function startBaseline(infra: Infra, filter: string, topic: string, clientId: string): Promise<() => Promise<void>> {
  const [host, port] = infra.mqttUrl.replace('mqtt://', '').split(':') as [string, string];
  // kcat -P creates the topic on first use (auto-create); a marker record creates it before anyone follows it.
  const marker = await run('kcat', ['-P', '-b', infra.kafkaBrokers, '-t', topic], { input: '{"seq":-2,"t":0}\n' });
  if (marker.code !== 0) throw new Error(`could not create ${topic}: ${marker.stderr}`);
  // stdbuf: mosquitto_sub block-buffers stdout into a pipe, which would hold messages back.
  const script = `stdbuf -oL mosquitto_sub -h ${host} -p ${port} -i ${clientId} -q 1 -t '${filter}' | kcat -P -b ${infra.kafkaBrokers} -t ${topic}`;
  const child: ChildProcess = spawn('bash', ['-c', script], { stdio: 'inherit', detached: true });
  return async () => {
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
    await exited(child);
  };
}

/** npm run bench -- mqtt [--json] [--messages 200000]: progress on stderr, the figures as JSON last. */
async function main(): Promise<{ result: object; json: boolean }> {
  const { json, messages } = benchArgs('mqtt', 200_000);
  return { result: await mqttBench(await sharedInfra(), messages), json };
}

runBench(main);
