import { type ChildProcess, spawn } from 'node:child_process';
import { type Infra, ServiceProcess, exited, nowMs, quantile, round, run, waitFor, writeConfig } from '@fieldlink/testing';
import { KafkaWatch } from './kafka-watch';

const HALF_RATE_SECONDS = 15;
export const HALF_RATE_FIRST_SEQ = 10_000_000;

export interface PipelineFigures {
  msgPerSec: number;
  /** Latency from MQTT publish to readable in Kafka, while publishing at full speed. */
  fullLoad: { p50Ms: number; p99Ms: number };
  /** The same at half the sustained rate. */
  halfRate: { rate: number; messages: number; p50Ms: number; p99Ms: number };
}

export type Extract = (line: string) => { seq: number; t: number } | undefined;

export const fromEnvelope: Extract = (line) => {
  const envelope = JSON.parse(line) as { values?: Record<string, { value: unknown }> };
  const seq = envelope.values?.['seq']?.value;
  const t = envelope.values?.['t']?.value;
  return typeof seq === 'number' && typeof t === 'number' ? { seq, t } : undefined;
};

export const fromRaw: Extract = (line) => {
  const body = JSON.parse(line) as { seq?: unknown; t?: unknown };
  return typeof body.seq === 'number' && typeof body.t === 'number' ? { seq: body.seq, t: body.t } : undefined;
};

export const progress = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

/** What a bench publishes: messages carrying seq and publish time t, and a trickle of filler (seq -3, not measured). */
export interface Load {
  /** Publishes count messages from firstSeq (at rate msg/s, or as fast as the window allows); resolves with msg/s once the broker acked all. */
  publish(firstSeq: number, count: number, rate?: number): Promise<number>;
  filler(): void;
}

/** Full-load throughput and latency, then latency at half that rate, of the pipeline start() starts, read from kafkaTopic. */
export async function measure(
  infra: Infra,
  load: Load,
  kafkaTopic: string,
  extract: Extract,
  messages: number,
  start: () => Promise<() => Promise<void>>,
): Promise<PipelineFigures> {
  const stop = await start();
  const watch = new KafkaWatch(infra.kafkaBrokers, kafkaTopic, extract, (seq) => (seq >= HALF_RATE_FIRST_SEQ ? 1 : 0));
  try {
    await waitFor('the pipeline to pass a probe message', async () => {
      await load.publish(-1, 1);
      return watch.has(-1);
    }, { timeoutMs: 60_000, intervalMs: 500 });

    watch.latencies = [];
    const t0 = nowMs();
    await load.publish(0, messages);
    await withFiller(load, () => watch.waitForCount(0, messages, 600_000));
    const msgPerSec = (messages * 1000) / (watch.lastAt - t0);
    const full = sorted(watch.latencies);
    progress(`  sustained ${Math.round(msgPerSec)} msg/s; p50 ${round(quantile(full, 0.5))} ms, p99 ${round(quantile(full, 0.99))} ms at full load`);

    const rate = Math.max(1, Math.round(msgPerSec / 2));
    const halfCount = Math.max(1000, Math.min(messages, rate * HALF_RATE_SECONDS));
    progress(`  half rate: ${rate} msg/s for ${halfCount} messages`);
    watch.latencies = [];
    await load.publish(HALF_RATE_FIRST_SEQ, halfCount, rate);
    await withFiller(load, () => watch.waitForCount(1, halfCount, 300_000));
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
async function withFiller(load: Load, wait: () => Promise<void>): Promise<void> {
  const timer = setInterval(() => load.filler(), 20);
  try {
    await wait();
  } finally {
    clearInterval(timer);
  }
}

function sorted(values: number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

export async function startBaseline(infra: Infra, filter: string, topic: string, clientId: string): Promise<() => Promise<void>> {
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


/** The mqtt-gateway under a bench, on `config` plus the bench's own topics and session; resolves to its stop. */
export async function startBenchGateway(infra: Infra, id: string, config: Record<string, unknown>): Promise<() => Promise<void>> {
  const gateway = await ServiceProcess.start('mqtt-gateway', {
    FIELDLINK_CONFIG: writeConfig({ topics: { partitions: 3 }, mqtt: { sessionExpirySeconds: 60 }, ...config }),
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
