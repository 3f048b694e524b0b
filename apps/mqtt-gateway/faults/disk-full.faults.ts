import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  freshName,
  LocalService,
  reportFault,
  SeqPublisher,
  type ServiceProcess,
  sharedInfra,
  startMqttGateway,
  TelemetryChecker,
  TmpfsVolume,
  waitFor,
} from '@fieldlink/testing';

const MiB = 1024 * 1024;
// A volume far smaller than the default spool.maxBytes (1 GiB), as when a chart's volume equals the limit.
const VOLUME_BYTES = 8 * MiB;
// Another writer on the same volume (logs, core dumps) takes this much once the gateway is up,
// so the disk fills before even the lowered limit is reached.
const FILLER_BYTES = 3 * MiB;
const READINGS = 30_000;
const RATE = 5000;

describe('fault: the spool volume fills while Kafka is away', () => {
  let volume: TmpfsVolume | undefined;
  let kafka: LocalService | undefined;
  let gateway: ServiceProcess | undefined;
  let publisher: SeqPublisher | undefined;
  afterEach(async () => {
    await publisher?.end();
    await gateway?.kill();
    await kafka?.dispose();
    await volume?.dispose();
  });

  it(`acknowledges nothing it cannot keep, says why it is not ready, and delivers every reading once Kafka is back, without a restart`, async () => {
    const infra = await sharedInfra();
    volume = await TmpfsVolume.mount(VOLUME_BYTES);
    kafka = await LocalService.kafka();
    const spoolDir = join(volume.dir, 'spool');
    const started = await startMqttGateway(infra, { brokers: kafka.address, config: () => ({ spool: { dir: spoolDir } }) });
    const running = (gateway = started.gateway);
    const pid = running.pid;

    // The configured 1 GiB does not fit: the limit applied is lowered below the volume's size, and said so.
    const limit = await running.metric('fieldlink_spool_max_bytes');
    expect(limit).toBeLessThan(VOLUME_BYTES);
    expect(running.logs).toContain('spool.maxBytes is more than the spool volume can hold');
    writeFileSync(join(volume.dir, 'filler'), Buffer.alloc(FILLER_BYTES, 1));

    const pub = (publisher = await SeqPublisher.connect(infra.mqttUrl, freshName('pub'), started.root, 10));
    pub.start(RATE, 1000);
    await waitFor('the first readings in Kafka', async () => (await running.metric('fieldlink_kafka_produced_total')) >= 1000, { timeoutMs: 60_000, intervalMs: 200 });
    await kafka.kill();
    pub.start(RATE, READINGS);

    const notReady = await waitFor(
      'the gateway to report its spool volume full',
      async () => {
        const ready = await running.get('/health/ready');
        return ready.status === 503 && ready.body.includes('"spoolDiskHasRoom":false') ? ready : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    // Mosquitto accepts every reading and keeps what the gateway has not acknowledged.
    await waitFor(`all ${READINGS} readings published`, () => pub.published >= READINGS, { timeoutMs: 120_000, intervalMs: 200 });
    await pub.settle(60_000);
    const spooledWhileFull = await running.metric('fieldlink_spool_spooled_total');
    expect(spooledWhileFull).toBeLessThan(READINGS);

    await kafka.start();
    const checker = new TelemetryChecker(kafka.address, started.topic('telemetry'), 3);
    await checker.waitForAll(pub.acked, 180_000);
    const ready = await waitFor('the gateway ready again', async () => ((await running.get('/health/ready')).status === 200 ? true : undefined), { timeoutMs: 60_000, intervalMs: 250 });
    const delivery = checker.delivery(pub.acked);
    reportFault(
      `spool volume ${VOLUME_BYTES / MiB} MiB (${FILLER_BYTES / MiB} MiB taken by another writer), Kafka down`,
      pub.published,
      delivery,
      `limit applied ${(limit / MiB).toFixed(1)} MiB of the configured 1024; ${spooledWhileFull} spooled before the disk was full; not ready while full (${notReady.body}); ready again without a restart`,
    );
    expect(ready).toBe(true);
    expect(delivery.lost).toBe(0);
    expect(delivery.duplicatesAfterDedupe).toBe(0);
    expect(delivery.reordered).toBe(0);
    expect(running.running).toBe(true);
    expect(running.pid).toBe(pid);
  }, 480_000);
});
