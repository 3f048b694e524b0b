/**
 * npm run bench -- opcua [--json] [--seconds N]
 * Values/s that opcua-gateway delivers into Kafka from a node-opcua server with 10,000 monitored
 * items changing every 100 ms, against a bare node-opcua client that only counts its data-change
 * notifications, on the same server and subscription settings in the same run.
 * Progress on stderr; the last line is JSON with "ratio".
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { AttributeIds, MessageSecurityMode, OPCUACertificateManager, OPCUAClient, SecurityPolicy, TimestampsToReturn, resolveNodeId } from 'node-opcua';
import { type Infra, ServiceProcess, exited, freePort, freshName, round, runBench, sharedInfra, track, waitFor, writeConfig } from '@fieldlink/testing';

const OBJECTS = 100;
const VARIABLES = 100;
const CHANGE_MS = 100;
const ITEMS = OBJECTS * VARIABLES;
/** The same for the baseline and the gateway: sample and publish as fast as the values change. */
const SAMPLING = { samplingIntervalMs: CHANGE_MS, queueSize: 10, publishingIntervalMs: CHANGE_MS };
const WARM_UP_MS = 5000;

interface Figures {
  /**
   * Distinct values/s the server read for its monitored items in the window: what it managed to
   * offer, an upper bound on what it sent. It is the bottleneck here: it cannot sample 10,000
   * items every 100 ms on one core, so it offers less than nominal, and a little more or less in each window.
   */
  offeredPerSec: number;
  valuesPerSec: number;
  values: number;
  /** CPU seconds per wall-clock second of the measured process during the window. */
  cpuCores: number;
}

const progress = (msg: string): void => void process.stderr.write(`[bench] ${msg}\n`);

class BenchServer {
  /** The server's running count of distinct values read for subscriptions, with when it printed each. */
  private readonly counts: { at: number; offered: number }[] = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const m = /^OFFERED (\d+)$/.exec(line);
      if (m) this.counts.push({ at: Date.now(), offered: Number(m[1]) });
    });
  }

  /** The server's distinct values per second between two wall-clock times, from the counts printed around them. */
  async offeredPerSec(from: number, to: number): Promise<number> {
    const after = await waitFor('the server\'s offered count after the window', () => this.counts.find((c) => c.at >= to), { timeoutMs: 10_000, intervalMs: 100 });
    const before = this.counts.filter((c) => c.at <= from).at(-1);
    if (!before) throw new Error('the server printed no offered count before the window');
    return Math.round(((after.offered - before.offered) * 1000) / (after.at - before.at));
  }

  static async start(): Promise<BenchServer> {
    const port = await freePort();
    const pki = mkdtempSync(join(tmpdir(), 'fieldlink-bench-pki-'));
    const args = ['--import', 'tsx', join(__dirname, 'bench-server.ts'), String(port), String(OBJECTS), String(VARIABLES), String(CHANGE_MS), pki];
    const child = track(spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor('the bench OPC UA server', () => {
      if (child.exitCode !== null) throw new Error(`the bench server exited:\n${output}`);
      return output.includes('READY');
    }, { timeoutMs: 120_000, intervalMs: 200 });
    return new BenchServer(child, `opc.tcp://127.0.0.1:${port}/bench`);
  }

  async stop(): Promise<void> {
    this.child.kill('SIGTERM');
    await exited(this.child);
  }
}

/** The baseline: one node-opcua session, one subscription, every item monitored, notifications counted. */
async function baseline(server: BenchServer, seconds: number): Promise<Figures> {
  const client = OPCUAClient.create({
    applicationName: 'fieldlink-bench-baseline',
    securityMode: MessageSecurityMode.None,
    securityPolicy: SecurityPolicy.None,
    endpointMustExist: false,
    // Its own certificate in a temporary folder: node-opcua's default PKI is under the home directory.
    clientCertificateManager: new OPCUACertificateManager({ rootFolder: mkdtempSync(join(tmpdir(), 'fieldlink-bench-pki-')) }),
    connectionStrategy: { maxRetry: 3, initialDelay: 200, maxDelay: 1000 },
  });
  await client.connect(server.url);
  const session = await client.createSession();
  try {
    const subscription = await session.createSubscription2({
      requestedPublishingInterval: SAMPLING.publishingIntervalMs,
      requestedMaxKeepAliveCount: 10,
      requestedLifetimeCount: 60,
      maxNotificationsPerPublish: 0,
      publishingEnabled: true,
      priority: 10,
    });
    let counting = false;
    let values = 0;
    // Groups of 1,000 as the gateway asks for them: servers cap the items per request.
    for (let o = 0; o < OBJECTS; o += 10) {
      const items = [];
      for (let m = o; m < Math.min(OBJECTS, o + 10); m++) for (let v = 0; v < VARIABLES; v++) items.push({ nodeId: resolveNodeId(`ns=1;s=Machine${m}.Sensor${v}`), attributeId: AttributeIds.Value });
      const group = await subscription.monitorItems(items, { samplingInterval: SAMPLING.samplingIntervalMs, queueSize: SAMPLING.queueSize, discardOldest: true }, TimestampsToReturn.Both);
      group.on('changed', () => {
        if (counting) values++;
      });
    }
    progress(`  baseline: ${ITEMS} items monitored; warming up ${WARM_UP_MS / 1000} s`);
    await sleep(WARM_UP_MS);
    const cpu0 = process.cpuUsage();
    const t0 = Date.now();
    counting = true;
    await sleep(seconds * 1000);
    counting = false;
    const t1 = Date.now();
    const elapsedS = (t1 - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const figures = {
      offeredPerSec: await server.offeredPerSec(t0, t1),
      valuesPerSec: Math.round(values / elapsedS),
      values,
      cpuCores: round((cpu.user + cpu.system) / 1e6 / elapsedS, 2),
    };
    await subscription.terminate();
    return figures;
  } finally {
    await session.close().catch(() => undefined);
    await client.disconnect();
  }
}

/** Follows the telemetry topic with kcat and counts the values each record carries, by the gateway's receive time. */
class DeliveredValues {
  private readonly child: ChildProcess;
  latestReceiveMs = 0;
  private readonly counted: { from: number; to: number; values: number }[] = [];

  constructor(brokers: string, topic: string) {
    this.child = track(spawn('kcat', ['-b', brokers, '-C', '-t', topic, '-o', 'beginning', '-u', '-q', '-f', '%s\n'], { stdio: ['ignore', 'pipe', 'inherit'] }));
    createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const record = JSON.parse(line) as { receiveTime?: string; values?: Record<string, unknown> };
      const at = Date.parse(record.receiveTime ?? '');
      this.latestReceiveMs = Math.max(this.latestReceiveMs, at);
      const n = Object.keys(record.values ?? {}).length;
      for (const window of this.counted) if (at >= window.from && at < window.to) window.values += n;
    });
  }

  window(from: number, to: number): { values: number } {
    const window = { from, to, values: 0 };
    this.counted.push(window);
    return window;
  }

  close(): void {
    this.child.kill();
  }
}

async function gateway(infra: Infra, server: BenchServer, seconds: number): Promise<Figures & { readingsReceived: number }> {
  const root = freshName('bench-opcua');
  const service = await ServiceProcess.start('opcua-gateway', {
    FIELDLINK_CONFIG: writeConfig({ topics: { partitions: 3 }, endpoints: [{ name: 'bench', url: server.url }], opcua: { sampling: SAMPLING, sharding: { enabled: false } } }),
    KAFKA_BROKERS: infra.kafkaBrokers,
    TOPIC_PREFIX: `${root}.`,
    GATEWAY_INSTANCE_ID: root,
    OPCUA_PKI_DIR: mkdtempSync(join(tmpdir(), 'fieldlink-pki-')),
    SPOOL_DIR: mkdtempSync(join(tmpdir(), 'fieldlink-spool-')),
    LOG_LEVEL: 'warn',
  });
  const delivered = new DeliveredValues(infra.kafkaBrokers, `${root}.telemetry`);
  try {
    await waitFor(`${ITEMS} items monitored by the gateway`, async () => (await service.metric('fieldlink_opcua_monitored_items')) >= ITEMS, { timeoutMs: 180_000, intervalMs: 500 });
    progress(`  gateway: ${ITEMS} items monitored; warming up ${WARM_UP_MS / 1000} s`);
    await sleep(WARM_UP_MS);
    const cpu0 = await service.metric('process_cpu_seconds_total');
    const received0 = await service.metric('fieldlink_ingest_received_total');
    const t0 = Date.now();
    const window = delivered.window(t0, t0 + seconds * 1000);
    await sleep(seconds * 1000);
    const t1 = Date.now();
    const elapsedS = (t1 - t0) / 1000;
    const cpu = (await service.metric('process_cpu_seconds_total')) - cpu0;
    const received = (await service.metric('fieldlink_ingest_received_total')) - received0;
    // Done once Kafka holds readings received well after the window: the ones inside it were produced before them.
    await waitFor('the window\'s readings in Kafka', () => delivered.latestReceiveMs > t1 + 2000, { timeoutMs: 120_000, intervalMs: 500 });
    return { offeredPerSec: await server.offeredPerSec(t0, t1), valuesPerSec: Math.round(window.values / elapsedS), values: window.values, cpuCores: round(cpu / elapsedS, 2), readingsReceived: received };
  } finally {
    delivered.close();
    await service.stop();
  }
}

async function main(): Promise<{ result: object; json: boolean }> {
  const { values } = parseArgs({ args: process.argv.slice(2).filter((a) => a !== 'opcua'), options: { json: { type: 'boolean', default: false }, seconds: { type: 'string', default: '20' } } });
  const seconds = Number(values.seconds);
  if (!Number.isInteger(seconds) || seconds < 5) throw new Error('--seconds must be an integer ≥ 5');
  const infra = await sharedInfra();
  const nominal = Math.round((ITEMS * 1000) / CHANGE_MS);
  progress(`node-opcua server: ${OBJECTS} objects × ${VARIABLES} Double variables, all changing every ${CHANGE_MS} ms (${nominal} changes/s nominal); sampling and publishing every ${CHANGE_MS} ms, queue ${SAMPLING.queueSize}; ${seconds} s windows`);
  const server = await BenchServer.start();
  try {
    progress('baseline: a bare node-opcua client counting data-change notifications');
    const base = await baseline(server, seconds);
    progress(`  baseline: ${base.valuesPerSec} values/s of ${base.offeredPerSec}/s offered, ${base.cpuCores} cores`);
    progress('gateway: opcua-gateway (sharding off), values counted in Kafka by receive time');
    const gw = await gateway(infra, server, seconds);
    progress(`  gateway: ${gw.valuesPerSec} values/s in Kafka of ${gw.offeredPerSec}/s offered, ${gw.cpuCores} cores`);
    const result = { bench: 'opcua', items: ITEMS, changeMs: CHANGE_MS, nominalPerSec: nominal, seconds, gateway: gw, baseline: base, ratio: round(gw.valuesPerSec / base.valuesPerSec, 3) };
    return { result, json: values.json };
  } finally {
    await server.stop();
  }
}

runBench(main);
