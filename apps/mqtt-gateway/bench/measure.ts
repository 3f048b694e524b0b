import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Infra, ProcMeter, ServiceProcess, exited, nowMs, quantile, round, run, topFunctions, waitFor, writeConfig } from '@fieldlink/testing';
import { KafkaWatch } from './kafka-watch';

const HALF_RATE_SECONDS = 15;
export const HALF_RATE_FIRST_SEQ = 10_000_000;
const AT_RATE_FIRST_SEQ = 20_000_000;

export interface PipelineFigures {
  msgPerSec: number;
  /** Latency from MQTT publish to readable in Kafka, while publishing at full speed. */
  fullLoad: { p50Ms: number; p99Ms: number };
  /** The same at half the sustained rate. */
  halfRate: RatePhase;
  /**
   * The same at a rate given by the caller: the baseline's half rate, for the gateway. Pipelines of
   * different speeds have different half rates, and latency grows with load, so their own half
   * rates alone do not compare them at one load.
   */
  atRate?: RatePhase;
  /** CPU time (user + system, every process of the pipeline) per message in the full-load phase. */
  cpuUsPerMsg: number;
  /** The pipeline's largest resident memory (all its processes together). */
  peakRssMiB: number;
  /** Records a gateway wrote to its spool during the full-load phase (fieldlink_spool_spooled_total); none for the baseline. */
  spooledAtFullLoad?: number;
}

/** A pipeline a bench started: its processes' meter, and how to stop it. */
export interface Pipeline {
  meter: ProcMeter;
  /** Records the pipeline has spooled to disk so far, if it has a spool. */
  spooled?(): Promise<number>;
  stop(): Promise<void>;
}

export interface RatePhase {
  rate: number;
  messages: number;
  p50Ms: number;
  p99Ms: number;
}

export type Extract = (line: string) => { seq: number; t: number } | undefined;

// Extraction is timed into every latency, in the process that also publishes: a regex on the
// fields' usual place, as cheap for a 530-byte envelope as for a 200-byte reading, and a full
// parse only when they are elsewhere.
const ENVELOPE_SEQ_T = /"values":\{"seq":\{"value":(-?\d+)\},"t":\{"value":([\d.]+)\}/;
const RAW_SEQ_T = /^\{"seq":(-?\d+),"t":([\d.]+)[,}]/;

export const fromEnvelope: Extract = (line) => {
  const found = ENVELOPE_SEQ_T.exec(line);
  if (found) return { seq: Number(found[1]), t: Number(found[2]) };
  const envelope = JSON.parse(line) as { values?: Record<string, { value: unknown }> };
  const seq = envelope.values?.['seq']?.value;
  const t = envelope.values?.['t']?.value;
  return typeof seq === 'number' && typeof t === 'number' ? { seq, t } : undefined;
};

export const fromRaw: Extract = (line) => {
  const found = RAW_SEQ_T.exec(line);
  if (found) return { seq: Number(found[1]), t: Number(found[2]) };
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

/**
 * Full-load throughput and latency, then latency at half that rate and, if given, at `alsoAtRate`
 * (the baseline's half rate), of the pipeline start() starts, read from kafkaTopic.
 */
export async function measure(
  infra: Infra,
  load: Load,
  kafkaTopic: string,
  extract: Extract,
  messages: number,
  start: () => Promise<Pipeline>,
  alsoAtRate?: number,
): Promise<PipelineFigures> {
  const pipeline = await start();
  const watch = new KafkaWatch(infra.kafkaBrokers, kafkaTopic, extract, (seq) => (seq >= AT_RATE_FIRST_SEQ ? 2 : seq >= HALF_RATE_FIRST_SEQ ? 1 : 0));
  try {
    await waitFor('the pipeline to pass a probe message', async () => {
      await load.publish(-1, 1);
      return watch.has(-1);
    }, { timeoutMs: 60_000, intervalMs: 500 });

    watch.latencies = [];
    const cpu0 = pipeline.meter.cpuSeconds();
    const spooled0 = await pipeline.spooled?.();
    const t0 = nowMs();
    await load.publish(0, messages);
    await withFiller(load, () => watch.waitForCount(0, messages, 600_000));
    const msgPerSec = (messages * 1000) / (watch.lastAt - t0);
    const cpuUsPerMsg = round(((pipeline.meter.cpuSeconds() - cpu0) * 1e6) / messages);
    const spooled = spooled0 === undefined ? undefined : ((await pipeline.spooled?.()) ?? 0) - spooled0;
    const full = sorted(watch.latencies);
    const spoolNote = spooled === undefined ? '' : `; ${spooled} records spooled`;
    progress(`  sustained ${Math.round(msgPerSec)} msg/s; p50 ${round(quantile(full, 0.5))} ms, p99 ${round(quantile(full, 0.99))} ms at full load; ${cpuUsPerMsg} µs CPU per message${spoolNote}`);

    const halfRate = await atRate(load, watch, 1, HALF_RATE_FIRST_SEQ, Math.max(1, Math.round(msgPerSec / 2)), messages, 'half rate');
    const at = alsoAtRate === undefined ? undefined : await atRate(load, watch, 2, AT_RATE_FIRST_SEQ, alsoAtRate, messages, "the baseline's half rate");
    return {
      msgPerSec: Math.round(msgPerSec),
      fullLoad: { p50Ms: round(quantile(full, 0.5)), p99Ms: round(quantile(full, 0.99)) },
      halfRate,
      ...(at ? { atRate: at } : {}),
      cpuUsPerMsg,
      peakRssMiB: round(pipeline.meter.peakRssBytes / 2 ** 20),
      ...(spooled === undefined ? {} : { spooledAtFullLoad: spooled }),
    };
  } finally {
    watch.close();
    pipeline.meter.stop();
    await pipeline.stop();
  }
}

/** Publishes at `rate` for HALF_RATE_SECONDS (as run `run` from firstSeq) and returns its latencies. */
async function atRate(load: Load, watch: KafkaWatch, run: number, firstSeq: number, rate: number, messages: number, what: string): Promise<RatePhase> {
  const count = Math.max(1000, Math.min(messages, rate * HALF_RATE_SECONDS));
  progress(`  ${what}: ${rate} msg/s for ${count} messages`);
  watch.latencies = [];
  await load.publish(firstSeq, count, rate);
  await withFiller(load, () => watch.waitForCount(run, count, 300_000));
  const latencies = sorted(watch.latencies);
  const p50Ms = round(quantile(latencies, 0.5));
  const p99Ms = round(quantile(latencies, 0.99));
  progress(`  p50 ${p50Ms} ms, p99 ${p99Ms} ms at ${what}`);
  return { rate, messages: count, p50Ms, p99Ms };
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

export async function startBaseline(infra: Infra, filter: string, topic: string, clientId: string): Promise<Pipeline> {
  const [host, port] = infra.mqttUrl.replace('mqtt://', '').split(':') as [string, string];
  // kcat -P creates the topic on first use (auto-create); a marker record creates it before anyone follows it.
  const marker = await run('kcat', ['-P', '-b', infra.kafkaBrokers, '-t', topic], { input: '{"seq":-2,"t":0}\n' });
  if (marker.code !== 0) throw new Error(`could not create ${topic}: ${marker.stderr}`);
  // stdbuf: mosquitto_sub block-buffers stdout into a pipe, which would hold messages back.
  const script = `stdbuf -oL mosquitto_sub -h ${host} -p ${port} -i ${clientId} -q 1 -t '${filter}' | kcat -P -b ${infra.kafkaBrokers} -t ${topic}`;
  const child: ChildProcess = spawn('bash', ['-c', script], { stdio: 'inherit', detached: true });
  return {
    meter: ProcMeter.group(child.pid ?? -1),
    stop: async () => {
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
      await exited(child);
    },
  };
}


/**
 * The mqtt-gateway under a bench, on `config` plus the bench's own topics and session. With
 * `profile`, it runs under node --cpu-prof, and its stop prints the functions with the most self time.
 */
export async function startBenchGateway(infra: Infra, id: string, config: Record<string, unknown>, profile = false): Promise<Pipeline> {
  const profileDir = profile ? mkdtempSync(join(tmpdir(), 'fieldlink-profile-')) : undefined;
  const gateway = await ServiceProcess.start('mqtt-gateway', {
    FIELDLINK_CONFIG: writeConfig({ topics: { partitions: 3 }, mqtt: { sessionExpirySeconds: 60 }, ...config }),
    KAFKA_BROKERS: infra.kafkaBrokers,
    MQTT_URL: infra.mqttUrl,
    MQTT_CLIENT_ID: `${id}-gw`,
    TOPIC_PREFIX: `${id}.`,
    LOG_LEVEL: 'warn',
    ...(profileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } : {}),
  });
  return {
    meter: new ProcMeter(() => (gateway.pid ? [gateway.pid] : [])),
    spooled: () => gateway.metric('fieldlink_spool_spooled_total'),
    stop: async () => {
      await gateway.stop();
      if (!profileDir) return;
      const { file, functions } = topFunctions(profileDir);
      progress(`  CPU profile of the whole run: ${file}; most self time:`);
      for (const f of functions) progress(`    ${f.percent.toFixed(1).padStart(5)}%  ${f.name}`);
    },
  };
}
