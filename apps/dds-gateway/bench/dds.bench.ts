/**
 * npm run bench -- dds [--json] [--profile] [--samples N]
 * DDS samples/s that dds-gateway bridges into Kafka from a Cyclone DDS C publisher (reliable,
 * KEEP_ALL, as fast as the reader acknowledges), against an RTI Connector reader that only
 * counts samples, with the same XML, QoS and publisher in the same run ("ratio"), and against one
 * that also reads each sample's JSON and identity ("ratioToReading").
 * Progress on stderr; the last line is JSON with "ratio".
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Registry } from 'prom-client';
import { Connector } from 'rticonnextdds-connector';
import { KafkaService } from '@fieldlink/kafka';
import { type Infra, ServiceProcess, freshName, readTopic, round, runBench, sharedInfra, topFunctions, waitFor, writeConfig } from '@fieldlink/testing';
import { CyclonePublisher } from '../test/cyclone';
import { ddsTopic, ddsXml, sensorConfig } from '../test/support';

const SENSORS = 100;
/** The gateway's default idle sleep between takes; the baseline polls the same way. */
const IDLE_POLL_MS = 5;

interface Figures {
  samplesPerSec: number;
  samples: number;
  seconds: number;
}

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const progress = (msg: string): void => void process.stderr.write(`[bench] ${msg}\n`);

/** From the first sample counted to the last: the publisher is already matched and writing. */
function figures(samples: number, firstAt: number, lastAt: number): Figures {
  const seconds = (lastAt - firstAt) / 1000;
  return { samplesPerSec: Math.round(samples / seconds), samples, seconds: round(seconds, 2) };
}

/**
 * An RTI Connector reader on the same XML and publisher. `read: false` only counts valid samples
 * (the baseline); `read: true` also reads what any bridge must, each sample's JSON and
 * identity, which shows how much of the gap is the Connector's own per-sample cost.
 */
async function baseline(samples: number, read: boolean): Promise<Figures> {
  const topic = ddsTopic(read ? 'BenchReading' : 'BenchBaseline');
  const connector = new Connector('Fieldlink::Gateway', ddsXml({ sensorTopic: topic }));
  const input = connector.getInput('Readings::SensorReadings');
  const pub = await CyclonePublisher.start({ topic, count: samples, sensors: SENSORS });
  try {
    let count = 0;
    let firstAt = 0;
    let lastAt = 0;
    const deadline = Date.now() + 600_000;
    while (count < samples) {
      if (Date.now() > deadline) throw new Error(`the baseline counted ${count} of ${samples} samples in 10 minutes`);
      input.take();
      let taken = 0;
      for (const sample of input.samples) {
        if (!sample.validData) continue;
        if (read) readSample(sample);
        taken++;
      }
      if (taken === 0) {
        await sleep(IDLE_POLL_MS);
        continue;
      }
      if (count === 0) firstAt = Date.now();
      count += taken;
      lastAt = Date.now();
    }
    return figures(count, firstAt, lastAt);
  } finally {
    await pub.stop();
    await connector.close();
  }
}

let checksum = 0;
/** Reads a sample's JSON and identity; the checksum keeps the reads from being optimised away. */
function readSample(sample: { getJson(): unknown; info: { get(field: string): unknown } }): void {
  const data = sample.getJson() as { timestamp?: number };
  const identity = sample.info.get('sample_identity') as { sequence_number?: number } | null;
  checksum += (data.timestamp ?? 0) % 7 + (identity?.sequence_number ?? 0) % 7;
}

/** With `profile`, the gateway runs under node --cpu-prof and the functions with the most self time are printed. */
async function gateway(infra: Infra, samples: number, profile: boolean): Promise<Figures> {
  const topic = ddsTopic('BenchGateway');
  const root = freshName('bench-dds');
  const profileDir = profile ? mkdtempSync(join(tmpdir(), 'fieldlink-profile-')) : undefined;
  // Counted by the topic's end offsets, asked of the broker: scraping the gateway's /metrics every
  // 50 ms took about 4% of its main thread, a cost no production scrape interval comes near.
  const kafka = new KafkaService({ brokers: [infra.kafkaBrokers], clientId: `${root}-bench`, registry: new Registry(), logger: quiet });
  const inTopic = async () => [...(await kafka.endOffsets(`${root}.telemetry`)).values()].reduce((sum, end) => sum + Number(end), 0);
  const service = await ServiceProcess.start('dds-gateway', {
    FIELDLINK_CONFIG: writeConfig(sensorConfig(ddsXml({ sensorTopic: topic }), topic)),
    KAFKA_BROKERS: infra.kafkaBrokers,
    TOPIC_PREFIX: `${root}.`,
    GATEWAY_INSTANCE_ID: root,
    LOG_LEVEL: 'warn',
    ...(profileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } : {}),
  });
  const pub = await CyclonePublisher.start({ topic, count: samples, sensors: SENSORS });
  try {
    const firstAt = await waitFor('the first record in Kafka', async () => ((await inTopic()) > 0 ? Date.now() : false), { timeoutMs: 60_000, intervalMs: 50 });
    const lastAt = await waitFor(`${samples} records in Kafka`, async () => ((await inTopic()) >= samples ? Date.now() : false), { timeoutMs: 600_000, intervalMs: 50 });
    const inKafka = (await readTopic(infra.kafkaBrokers, `${root}.telemetry`)).length;
    if (inKafka !== samples) throw new Error(`${inKafka} telemetry records in Kafka for ${samples} samples`);
    return figures(samples, firstAt, lastAt);
  } finally {
    await pub.stop();
    await service.stop();
    if (profileDir) printProfile(profileDir);
  }
}

/** The main thread's profile, then the take thread's (the first worker). */
function printProfile(dir: string): void {
  for (const [thread, name] of [[0, 'main thread'], [1, 'take thread']] as const) {
    const { file, functions } = topFunctions(dir, 12, thread);
    progress(`  CPU profile of the ${name} for the whole run: ${file}; most self time:`);
    for (const f of functions) progress(`    ${f.percent.toFixed(1).padStart(5)}%  ${f.name}`);
  }
}

runBench(async () => {
  const { values } = parseArgs({ args: process.argv.slice(3), options: { json: { type: 'boolean', default: false }, profile: { type: 'boolean', default: false }, samples: { type: 'string', default: '100000' } } });
  const samples = Number(values.samples);
  if (!Number.isInteger(samples) || samples < SENSORS) throw new Error(`--samples must be an integer of at least ${SENSORS}`);
  const infra = await sharedInfra();
  progress(`baseline: RTI Connector reader counting ${samples} samples from a Cyclone DDS publisher (${SENSORS} sensors, reliable, KEEP_ALL)`);
  const base = await baseline(samples, false);
  progress(`  ${base.samplesPerSec} samples/s`);
  progress('reading baseline: the same, also reading each sample\'s JSON and identity as any bridge must');
  const reading = await baseline(samples, true);
  progress(`  ${reading.samplesPerSec} samples/s (checksum ${checksum})`);
  progress(`dds-gateway: the same publisher and QoS, counted once in Kafka`);
  const bridged = await gateway(infra, samples, values.profile ?? false);
  progress(`  ${bridged.samplesPerSec} samples/s`);
  return {
    json: values.json ?? false,
    result: {
      bench: 'dds',
      samples,
      sensors: SENSORS,
      baseline: base,
      readingBaseline: reading,
      gateway: bridged,
      ratio: round(bridged.samplesPerSec / base.samplesPerSec, 3),
      ratioToReading: round(bridged.samplesPerSec / reading.samplesPerSec, 3),
    },
  };
});
