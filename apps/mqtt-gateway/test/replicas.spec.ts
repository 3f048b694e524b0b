import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalService, SeqPublisher, ServiceProcess, TelemetryChecker, chartConfig, freshName, renderChart, reportFault, waitFor } from '@fieldlink/testing';

const DEVICES = 20;
const READINGS_PER_DEVICE = 1000;
const TOTAL = DEVICES * READINGS_PER_DEVICE;
const PARTITIONS = 6;

/**
 * Two MQTT gateway replicas as the chart runs them with `services.mqtt-gateway.replicas=2` and
 * nothing else: the rendered config, the instance ids a StatefulSet gives its pods, a spool
 * volume each, and only the addresses of Kafka and the broker from outside. Both have a Kafka and
 * a broker of their own: the chart's topic names and MQTT topics are what is tested.
 */
describe('mqtt-gateway replicas on the chart\'s config', () => {
  let kafka: LocalService | undefined;
  let broker: LocalService | undefined;
  let publisher: SeqPublisher | undefined;
  const replicas: ServiceProcess[] = [];

  beforeAll(async () => {
    [kafka, broker] = await Promise.all([LocalService.kafka(), LocalService.mosquitto()]);
    const config = chartConfig(await renderChart(['--set', 'services.mqtt-gateway.replicas=2']), 'mqtt-gateway');
    if (!config) throw new Error('the chart rendered no mqtt-gateway config');
    const file = join(mkdtempSync(join(tmpdir(), 'fieldlink-chart-mqtt-')), 'config.yaml');
    writeFileSync(file, config);
    for (const ordinal of [0, 1]) {
      const env = {
        FIELDLINK_CONFIG: file,
        KAFKA_BROKERS: kafka.address,
        MQTT_URL: `mqtt://${broker.address}`,
        GATEWAY_INSTANCE_ID: `fl-mqtt-gateway-${ordinal}`,
        SPOOL_DIR: mkdtempSync(join(tmpdir(), `fieldlink-spool-${ordinal}-`)),
      };
      replicas.push(await ServiceProcess.start('mqtt-gateway', env));
    }
  });

  afterEach(async () => {
    await publisher?.end();
    publisher = undefined;
  });

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.kill()));
    await Promise.all([kafka?.dispose(), broker?.dispose()]);
  });

  /** 20 devices × 1,000 QoS 1 readings under fresh device names, checked in fieldlink.telemetry. */
  async function publishAll(perSecond: number, during: (pub: SeqPublisher) => Promise<void> = () => Promise.resolve()) {
    if (!kafka || !broker) throw new Error('no infrastructure');
    const run = freshName('r');
    const pub = (publisher = await SeqPublisher.connect(`mqtt://${broker.address}`, freshName('pub'), '', DEVICES, 2000, (d) => `${run}-dev-${d}`));
    pub.start(perSecond, TOTAL);
    await during(pub);
    await waitFor('every reading published', () => pub.published >= TOTAL, { timeoutMs: 120_000, intervalMs: 200 });
    await pub.settle(60_000);
    const checker = new TelemetryChecker(kafka.address, 'fieldlink.telemetry', PARTITIONS, 'seq', (device) => pub.acked.has(device));
    await checker.waitForAll(pub.acked, 60_000);
    return checker.delivery(pub.acked);
  }

  it('forward 20 devices × 1,000 QoS 1 readings once each by id, both carrying load, each device in order', async () => {
    const delivery = await publishAll(2000);
    // The first test on these replicas: their counters hold this run only.
    const forwarded = await Promise.all(replicas.map((r) => r.metric('fieldlink_ingest_forwarded_total')));
    reportFault('mqtt replicas=2 on the chart\'s config (shards)', TOTAL, delivery, `forwarded per replica ${forwarded.join(' / ')}`);
    expect(delivery.acknowledged).toBe(TOTAL);
    expect(delivery.lost).toBe(0);
    expect(delivery.duplicatesAfterDedupe).toBe(0);
    expect(delivery.rawDuplicates).toBeLessThanOrEqual(TOTAL / 100);
    // Shards keep a device on one replica, so its readings reach Kafka in the order it sent them.
    expect(delivery.reordered).toBe(0);
    // Each replica forwarded the devices of its shard; together, every reading once.
    for (const n of forwarded) expect(n).toBeGreaterThan(TOTAL / 5);
    expect(forwarded.reduce((a, b) => a + b, 0)).toBe(TOTAL);
    for (const r of replicas) expect(await r.metric('fieldlink_mqtt_other_shard_total')).toBeGreaterThan(0);
  });

  it('lose nothing and write no duplicate after dedupe by id while restarted one at a time with SIGTERM under load', async () => {
    const restarts: string[] = [];
    const signalledAt: number[] = [];
    // At 300 readings a second the load lasts about 67 s, long enough for both restarts (some 25 s each).
    const delivery = await publishAll(300, async (pub) => {
      await waitFor('a tenth of the readings published', () => pub.published >= TOTAL / 10, { timeoutMs: 60_000, intervalMs: 100 });
      for (const [i, replica] of replicas.entries()) {
        signalledAt.push(pub.published);
        const started = Date.now();
        expect(await replica.stop()).toBe(0); // SIGTERM: it drains, then exits
        const stopped = Date.now();
        await replica.spawn(); // same instance id, same spool volume
        restarts.push(`replica ${i} stopped in ${stopped - started} ms and ready ${Date.now() - stopped} ms later, at reading ${pub.published}`);
      }
    });
    reportFault('mqtt replicas=2 restarted one at a time (SIGTERM)', TOTAL, delivery, restarts.join(', '));
    // Each replica was sent SIGTERM while the devices were still publishing.
    expect(signalledAt).toHaveLength(2);
    for (const n of signalledAt) expect(n).toBeLessThan(TOTAL);
    expect(delivery.acknowledged).toBe(TOTAL);
    expect(delivery.lost).toBe(0);
    expect(delivery.duplicatesAfterDedupe).toBe(0);
    expect(delivery.reordered).toBe(0);
  });
});
