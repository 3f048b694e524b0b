import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as hold } from 'node:timers/promises';
import {
  freshName,
  installBundle,
  LocalService,
  MemoryCgroup,
  reportFault,
  RssSampler,
  SeqPublisher,
  type ServiceProcess,
  sharedInfra,
  startMqttGateway,
  TelemetryChecker,
  waitFor,
} from '@fieldlink/testing';

// The Helm chart's memory limit for a gateway.
const LIMIT_BYTES = 512 * 1024 * 1024;
const RATE = 8000;
const BEFORE = RATE * 10;
const DOWN_MS = 60_000;
const MiB = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

describe('fault: Kafka away for 60 s under load, the gateway inside a 512 MiB memory cgroup', () => {
  let kafka: LocalService | undefined;
  let gateway: ServiceProcess | undefined;
  let publisher: SeqPublisher | undefined;
  let cgroup: MemoryCgroup | undefined;
  let rss: RssSampler | undefined;
  afterEach(async () => {
    rss?.stop();
    await publisher?.end();
    await gateway?.kill();
    await kafka?.dispose();
    cgroup?.dispose();
  });

  it(`spools ${RATE} msg/s through the outage without being OOM-killed, then delivers everything`, async () => {
    const infra = await sharedInfra();
    cgroup = MemoryCgroup.create(LIMIT_BYTES);
    kafka = await LocalService.kafka();
    const spoolDir = mkdtempSync(join(tmpdir(), 'fieldlink-spool-'));
    // The production bundle, installed on its own as an image gets it.
    const bundleDir = await installBundle('mqtt-gateway');
    const started = await startMqttGateway(infra, { brokers: kafka.address, config: () => ({ spool: { dir: spoolDir } }), cgroup, bundleDir });
    const running = (gateway = started.gateway);
    const pid = running.pid;
    rss = new RssSampler(() => running.pid);
    const pub = (publisher = await SeqPublisher.connect(infra.mqttUrl, freshName('pub'), started.root, 20));
    pub.start(RATE);

    await waitFor(`${BEFORE} readings in Kafka`, async () => (await running.metric('fieldlink_kafka_produced_total')) >= BEFORE, { timeoutMs: 120_000, intervalMs: 200 });
    await kafka.kill();
    // The outage is the fault being injected, so it is held for its full length while the load goes on.
    await hold(DOWN_MS);
    const produced = await running.metric('fieldlink_kafka_produced_total');
    await kafka.start();
    await waitFor('the gateway to produce again', async () => (await running.metric('fieldlink_kafka_produced_total')) > produced, { timeoutMs: 120_000, intervalMs: 200 });
    pub.stopPublishing();
    await pub.settle(120_000);

    const checker = new TelemetryChecker(kafka.address, started.topic('telemetry'), 3);
    await checker.waitForAll(pub.acked, 300_000);
    const delivery = checker.delivery(pub.acked);
    const heapLimit = await running.metric('fieldlink_heap_limit_bytes');
    const spooled = await running.metric('fieldlink_spool_spooled_total');
    reportFault(
      `MQTT gateway (production bundle) in a ${MiB(LIMIT_BYTES)} cgroup, Kafka down ${DOWN_MS / 1000} s at ${RATE} msg/s`,
      pub.published,
      delivery,
      `spooled ${spooled}; peak RSS ${MiB(rss.peakBytes)}, cgroup peak ${MiB(cgroup.peakBytes)} (page cache included), heap limit ${MiB(heapLimit)}, OOM kills ${cgroup.oomKills}`,
    );
    expect(cgroup.oomKills).toBe(0);
    // Node sized its heap from the cgroup's limit, leaving room for buffers and the spool's page cache.
    expect(heapLimit).toBeLessThan(LIMIT_BYTES * 0.75);
    expect(running.running).toBe(true);
    expect(running.pid).toBe(pid);
    expect(spooled).toBeGreaterThan(RATE * (DOWN_MS / 1000) * 0.5);
    expect(pub.failed).toBe(0);
    expect(delivery.acknowledged).toBe(pub.published);
    expect(delivery.lost).toBe(0);
    expect(delivery.duplicatesAfterDedupe).toBe(0);
    expect(delivery.reordered).toBe(0);
  }, 900_000);
});
