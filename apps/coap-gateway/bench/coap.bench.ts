/**
 * npm run bench -- coap [--json] [--messages N]
 * CON requests/s answered 2.04 by the gateway (so in Kafka or its spool, and checked in Kafka
 * after), against libcoap's coap-server-notls answering PUTs from memory, under the same load
 * generator in the same run. Progress on stderr; the last line is JSON with "ratio".
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { benchArgs, type Infra, ServiceProcess, exited, freePort, freshName, quantile, readTopic, round, runBench, sharedInfra, track, waitFor, writeConfig } from '@fieldlink/testing';
import { type CoapAnswer, CoapDevices } from '../test/coap-devices';

/** One endpoint pair allows about 250 messages/s (RFC 7252 message ids); load comes from many. */
const ENDPOINTS = 200;
const HALF_RATE_SECONDS = 10;
const PAYLOAD = (seq: number): string => JSON.stringify({ seq, temperature: 21.5, humidity: 40.25, t: Date.now() });

type Send = (devices: CoapDevices, index: number, seq: number) => Promise<CoapAnswer>;

interface Figures {
  reqPerSec: number;
  /** Requests answered 2.0x in all: the probe, the closed loop and the half-rate run. */
  acknowledged: number;
  answered: Record<string, number>;
  halfRate: { rate: number; requests: number; p50Ms: number; p99Ms: number };
}

const progress = (msg: string): void => void process.stderr.write(`[bench] ${msg}\n`);

/** Every endpoint sends its next request as soon as the last is answered, until `count` are sent. */
async function closedLoop(devices: CoapDevices, count: number, send: Send): Promise<{ perSec: number; ok: number; codes: Record<string, number> }> {
  const codes: Record<string, number> = {};
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: devices.count }, async (_, index) => {
      for (let seq = next++; seq < count; seq = next++) {
        const code = (await send(devices, index, seq).catch(() => undefined))?.code ?? 'unanswered';
        codes[code] = (codes[code] ?? 0) + 1;
      }
    }),
  );
  const ok = Object.entries(codes).filter(([c]) => c.startsWith('2.')).reduce((n, [, v]) => n + v, 0);
  return { perSec: (ok * 1000) / (performance.now() - t0), ok, codes };
}

/** Requests at a fixed rate, spread over the endpoints, whatever the answers take; their latencies. */
async function openLoop(devices: CoapDevices, rate: number, firstSeq: number, send: Send): Promise<{ requests: number; latencies: number[] }> {
  const requests = Math.max(100, Math.round(rate * HALF_RATE_SECONDS));
  const t0 = performance.now();
  const pending: Promise<number | undefined>[] = [];
  for (let k = 0; k < requests; k++) {
    const due = t0 + (k * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    pending.push(send(devices, k % devices.count, firstSeq + k).then((a) => (a.code.startsWith('2.') ? a.latencyMs : undefined), () => undefined));
  }
  const latencies = (await Promise.all(pending)).filter((l): l is number => l !== undefined).sort((a, b) => a - b);
  return { requests, latencies };
}

async function measure(name: string, port: number, messages: number, send: Send): Promise<Figures> {
  const devices = await CoapDevices.open(port, ENDPOINTS);
  try {
    await waitFor(`${name} to answer a probe`, async () => (await send(devices, 0, -1).catch(() => undefined))?.code.startsWith('2.'), { timeoutMs: 60_000, intervalMs: 500 });
    const full = await closedLoop(devices, messages, send);
    progress(`  ${name}: ${Math.round(full.perSec)} requests/s answered 2.0x; answers ${JSON.stringify(full.codes)}`);
    const rate = Math.max(10, Math.round(full.perSec / 2));
    const half = await openLoop(devices, rate, messages, send);
    progress(`  ${name} at half rate (${rate}/s, ${half.requests} requests): p50 ${round(quantile(half.latencies, 0.5))} ms, p99 ${round(quantile(half.latencies, 0.99))} ms`);
    return {
      reqPerSec: Math.round(full.perSec),
      acknowledged: 1 + full.ok + half.latencies.length,
      answered: full.codes,
      halfRate: { rate, requests: half.requests, p50Ms: round(quantile(half.latencies, 0.5)), p99Ms: round(quantile(half.latencies, 0.99)) },
    };
  } finally {
    devices.close();
  }
}

async function baseline(messages: number): Promise<Figures> {
  const port = await freePort();
  const server: ChildProcess = track(spawn('coap-server-notls', ['-A', '127.0.0.1', '-p', String(port), '-v', '0'], { stdio: 'ignore' }));
  try {
    // Its built-in /example_data resource takes a PUT and keeps the body in memory.
    return await measure('coap-server-notls', port, messages, (d, i, seq) => d.send(i, 'PUT', 'example_data', PAYLOAD(seq)));
  } finally {
    server.kill();
    await exited(server);
  }
}

async function gateway(infra: Infra, messages: number): Promise<Figures & { inKafka: number }> {
  const root = freshName('bench-coap');
  const port = await freePort();
  const service = await ServiceProcess.start('coap-gateway', {
    FIELDLINK_CONFIG: writeConfig({ topics: { partitions: 3 } }),
    KAFKA_BROKERS: infra.kafkaBrokers,
    COAP_PORT: String(port),
    TOPIC_PREFIX: `${root}.`,
    GATEWAY_INSTANCE_ID: root,
    LOG_LEVEL: 'warn',
  });
  try {
    const figures = await measure('coap-gateway', port, messages, (d, i, seq) => d.post(i, `sensors/dev-${i}`, PAYLOAD(seq)));
    // 2.04 means Kafka or the spool has it; count what reached Kafka (distinct ids).
    const expected = figures.acknowledged;
    const inKafka = await waitFor('every acknowledged reading in Kafka', async () => {
      const ids = new Set((await readTopic(infra.kafkaBrokers, `${root}.telemetry`)).map((r) => (JSON.parse(r.payload ?? '{}') as { id?: string }).id));
      return ids.size >= expected ? ids.size : undefined;
    }, { timeoutMs: 120_000, intervalMs: 2000 });
    progress(`  coap-gateway: ${inKafka} distinct readings in Kafka for ${expected} answered 2.04 (probe, closed loop and half rate)`);
    return { ...figures, inKafka };
  } finally {
    await service.stop();
  }
}

async function main(): Promise<{ result: object; json: boolean }> {
  const { json, messages } = benchArgs('coap', 50_000);
  const infra = await sharedInfra();
  progress(`${messages} CON requests of ~${PAYLOAD(0).length} bytes from ${ENDPOINTS} endpoints (node-coap clients), closed loop; then half that rate, open loop, for latency`);
  progress('baseline: libcoap coap-server-notls, PUT /example_data');
  const base = await baseline(messages);
  progress('gateway: coap-gateway on its defaults (2.04 after Kafka or the spool), POST /sensors/{deviceId}');
  const gw = await gateway(infra, messages);
  const result = { bench: 'coap', endpoints: ENDPOINTS, messages, gateway: gw, baseline: base, ratio: round(gw.reqPerSec / base.reqPerSec, 3) };
  return { result, json };
}

runBench(main);
