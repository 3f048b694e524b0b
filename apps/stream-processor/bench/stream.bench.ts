import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { KafkaService } from '@fieldlink/kafka';
import { validateTelemetry } from '@fieldlink/schemas';
import { benchArgs, type Infra, ServiceProcess, freshName, nowMs, quantile, round as roundTo, run, runBench, sharedInfra, waitFor, writeConfig } from '@fieldlink/testing';

const DEVICES = 10_000;
const PARTITIONS = 6;
const T0 = Date.UTC(2026, 0, 1);

const progress = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const quietLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

interface Figures {
  events: number;
  seconds: number;
  eventsPerSec: number;
}

/**
 * Stream processor throughput over the same pre-loaded telemetry topic, three ways in one run:
 * the processor with detectors on (its defaults), with detectors off, and a consume-only baseline
 * (the same ReplayingConsumer with a handler that only counts). A fourth run that also decodes and
 * validates every envelope shows how much of the gap is decoding rather than windows and detectors.
 *
 * This machine's speed drifts by ±20% over a minute, so one pair of runs says little. The baseline
 * and the detectors-on run are repeated back to back in each of ROUNDS rounds; the ratio is the
 * median of the rounds' ratios, and every round is printed.
 */
const ROUNDS = 3;

export async function streamBench(infra: Infra, requested: number): Promise<Record<string, unknown>> {
  const perDevice = Math.max(1, Math.round(requested / DEVICES));
  const events = perDevice * DEVICES;
  const prefix = `${freshName('bench')}.`;
  const topic = `${prefix}telemetry`;
  const kafka = new KafkaService({ brokers: [infra.kafkaBrokers], clientId: 'fieldlink-bench', registry: new Registry(), logger: quietLogger });
  try {
    await kafka.ensureTopics([{ topic, partitions: PARTITIONS }]);
    progress(`loading ${events} telemetry records: ${DEVICES} devices × ${perDevice} readings, ${PARTITIONS} partitions`);
    await load(infra.kafkaBrokers, topic, perDevice);

    progress('consume and decode only (JSON.parse + schema validation, no windows or detectors), to show where the time goes');
    const decodeOnly = await consumeOnly(kafka, topic, events, (value) => validateTelemetry.assert(JSON.parse(value.toString('utf8'))));
    progress(`consume + decode: ${Math.round(decodeOnly.eventsPerSec)} events/s`);
    progress('stream-processor, detectors off');
    const off = await processor(infra, prefix, events, { default: { type: 'none' } });
    progress(`detectors off: ${Math.round(off.eventsPerSec)} events/s`);
    const rounds: { consumeOnly: Figures; detectorsOn: Figures; ratio: number }[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      progress(`round ${round}/${ROUNDS}: consume-only baseline`);
      const baseline = await consumeOnly(kafka, topic, events);
      progress(`round ${round}/${ROUNDS}: stream-processor, detectors on (defaults)`);
      const on = await processor(infra, prefix, events, {});
      rounds.push({ consumeOnly: baseline, detectorsOn: on, ratio: on.eventsPerSec / baseline.eventsPerSec });
      progress(`round ${round}/${ROUNDS}: consume-only ${baseline.eventsPerSec} events/s, detectors on ${on.eventsPerSec} events/s, ratio ${roundTo(on.eventsPerSec / baseline.eventsPerSec, 3)}`);
    }
    const median = (values: number[]) => quantile([...values].sort((a, b) => a - b), 0.5);
    const consumeOnlyMedian = median(rounds.map((r) => r.consumeOnly.eventsPerSec));
    return {
      bench: 'stream',
      devices: DEVICES,
      events,
      rounds: rounds.map((r) => ({ ...r, ratio: roundTo(r.ratio, 3) })),
      consumeOnlyEventsPerSec: consumeOnlyMedian,
      consumeAndDecode: decodeOnly,
      detectorsOff: off,
      detectorsOnEventsPerSec: median(rounds.map((r) => r.detectorsOn.eventsPerSec)),
      ratio: roundTo(median(rounds.map((r) => r.ratio)), 3),
      ratioDetectorsOff: roundTo(off.eventsPerSec / consumeOnlyMedian, 3),
    };
  } finally {
    await kafka.close(5000);
  }
}

async function load(brokers: string, topic: string, perDevice: number): Promise<void> {
  const lines: string[] = [];
  for (let i = 0; i < perDevice; i++) {
    for (let d = 0; d < DEVICES; d++) {
      const deviceId = `bench-${d}`;
      const time = new Date(T0 + i * 1000 + d).toISOString();
      const value = 20 + ((i * 7 + d) % 13) / 10;
      lines.push(`${deviceId}\t${JSON.stringify({ schemaVersion: 1, id: randomUUID(), deviceId, eventTime: time, receiveTime: time, source: { protocol: 'mqtt', gateway: 'bench', ref: `sensors/${deviceId}/data` }, values: { temperature: { value } } })}`);
    }
  }
  const result = await run('kcat', ['-b', brokers, '-P', '-t', topic, '-K', '\t', '-X', 'linger.ms=20', '-X', 'batch.num.messages=10000'], { input: lines.join('\n') + '\n', timeoutMs: 600_000 });
  if (result.code !== 0) throw new Error(`kcat produce failed: ${result.stderr.trim()}`);
}

function figures(events: number, firstMs: number, lastMs: number): Figures {
  const seconds = (lastMs - firstMs) / 1000;
  return { events, seconds: roundTo(seconds, 2), eventsPerSec: roundTo(events / seconds, 0) };
}

async function consumeOnly(kafka: KafkaService, topic: string, events: number, decode?: (value: Buffer) => unknown): Promise<Figures> {
  let seen = 0;
  let first = 0;
  let last = 0;
  const consumer = kafka.createReplayingConsumer({
    name: 'baseline-consumer',
    groupId: `${topic}-consume-${randomUUID()}`,
    topic,
    fromBeginning: true,
    onAssigned: () => undefined,
    handle: (records) => {
      if (seen === 0) first = nowMs();
      if (decode) for (const r of records) decode(r.value ?? Buffer.alloc(0));
      seen += records.length;
      last = nowMs();
      const end = records[records.length - 1];
      return Promise.resolve(end ? String(Number(end.offset) + 1) : null);
    },
  });
  await consumer.start();
  await waitFor('consume-only baseline to read every event', () => seen >= events, { timeoutMs: 600_000, intervalMs: 50 });
  await consumer.stop();
  return figures(seen, first, last);
}

/** The built app on the pre-loaded topic, timed from its first processed record to its last (by /metrics). */
async function processor(infra: Infra, prefix: string, events: number, detectors: object): Promise<Figures> {
  const config = writeConfig({ processor: { groupId: `${prefix}${randomUUID()}` }, topics: { partitions: PARTITIONS }, detectors });
  const service = await ServiceProcess.start('stream-processor', {
    FIELDLINK_CONFIG: config,
    KAFKA_BROKERS: infra.kafkaBrokers,
    TOPIC_PREFIX: prefix,
    LOG_LEVEL: 'warn',
  });
  try {
    let first = 0;
    let last = 0;
    await waitFor(
      'stream-processor to process every event',
      async () => {
        const processed = await service.metric('fieldlink_stream_records_processed_total');
        if (processed > 0 && first === 0) first = nowMs();
        if (processed >= events) last = nowMs();
        return last > 0;
      },
      { timeoutMs: 600_000, intervalMs: 50 },
    );
    return figures(events, first, last);
  } finally {
    await service.kill();
  }
}

/** npm run bench -- stream [--json] [--messages 600000] (10,000 devices × 60 readings, so every detector is warm). */
async function main(): Promise<{ result: object; json: boolean }> {
  const { json, messages } = benchArgs('stream', 600_000);
  return { result: await streamBench(await sharedInfra(), messages), json };
}

runBench(main);
