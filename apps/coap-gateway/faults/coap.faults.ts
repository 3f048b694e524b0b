import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalService, TelemetryChecker, reportFault, sharedInfra, waitFor } from '@fieldlink/testing';
import { CoapDevices } from '../test/coap-devices';
import { ackedCount, newRun, postSeqs } from './coap-load';
import { type CoapGatewayUnderTest, startCoapGateway } from '../test/support';

describe('coap-gateway faults', () => {
  let devices: CoapDevices | undefined;
  let started: CoapGatewayUnderTest | undefined;
  let kafka: LocalService | undefined;
  afterEach(async () => {
    devices?.close();
    await started?.gateway.kill();
    await kafka?.dispose();
    [devices, started, kafka] = [undefined, undefined, undefined];
  });

  it('loses nothing it answered 2.04 when SIGKILLed three times under load from 20 devices', async () => {
    const DEVICES = 20;
    const PER_DEVICE = 300;
    const g = (started = await startCoapGateway(await sharedInfra(), { spool: { dir: mkdtempSync(join(tmpdir(), 'fieldlink-coap-spool-')) } }));
    devices = await CoapDevices.open(g.coapPort, DEVICES);
    const run = newRun();
    const load = Promise.all(Array.from({ length: DEVICES }, (_, d) => postSeqs(devices as CoapDevices, d, 0, PER_DEVICE, run)));
    const restarts: number[] = [];
    for (const threshold of [1000, 2500, 4000]) {
      await waitFor(`${threshold} acknowledged`, () => ackedCount(run) >= threshold, { timeoutMs: 120_000, intervalMs: 20 });
      await g.gateway.kill();
      const [killedAt, ackedAtKill] = [Date.now(), ackedCount(run)];
      // Not waiting for /health/ready: that also waits for command routing, which after a
      // SIGKILL waits out the dead process's Kafka session. Devices are answered before that.
      await g.gateway.spawn(false);
      await waitFor('answers again', () => ackedCount(run) > ackedAtKill, { timeoutMs: 120_000, intervalMs: 20 });
      restarts.push(Date.now() - killedAt);
    }
    await load;
    await g.gateway.waitReady();

    const checker = new TelemetryChecker(g.brokers, g.topic('telemetry'), 3);
    await checker.waitForAll(run.acked, 120_000);
    const delivery = checker.delivery(run.acked);
    reportFault('coap-gateway SIGKILL x3 (20 devices, CON)', run.sent, delivery, `answers ${JSON.stringify(Object.fromEntries(run.codes))}; answering again ${restarts.join(', ')} ms after each kill`);
    expect(delivery.lost).toBe(0);
    // A request cut off by the kill is retransmitted and answered by the next process, so nearly all are acknowledged.
    expect(delivery.acknowledged).toBeGreaterThan(DEVICES * PER_DEVICE * 0.95);
    expect(delivery.duplicatesAfterDedupe).toBe(0);
    expect(delivery.reordered).toBe(0);
  });

  it('with Kafka down answers 2.04 while the spool has room, then 5.03 with Max-Age; after Kafka returns nothing acknowledged is missing', async () => {
    const DEVICES = 10;
    kafka = await LocalService.kafka();
    const spool = { dir: mkdtempSync(join(tmpdir(), 'fieldlink-coap-spool-')), maxBytes: 32 * 1024, segmentBytes: 4096, stallMs: 1000 };
    const g = (started = await startCoapGateway(await sharedInfra(), { spool }, kafka.address));
    devices = await CoapDevices.open(g.coapPort, DEVICES);
    const run = newRun();
    await postSeqs(devices, 0, 0, 1, run);
    expect(run.codes.get('2.04')).toBe(1);

    await kafka.kill();
    run.codes.clear();
    // Each device sends until ten requests in all were told to come back later.
    const refused = (): boolean => (run.codes.get('5.03') ?? 0) >= DEVICES;
    await Promise.all(Array.from({ length: DEVICES }, (_, d) => postSeqs(devices as CoapDevices, d, 1, 2000, run, refused)));
    expect(refused()).toBe(true);
    expect(run.codes.get('5.03 Max-Age 5')).toBe(run.codes.get('5.03'));
    const spooled = ackedCount(run) - 1;
    expect(spooled).toBeGreaterThan(20);
    expect(await g.gateway.metric('fieldlink_spool_records')).toBeGreaterThanOrEqual(spooled);

    await kafka.start();
    const checker = new TelemetryChecker(g.brokers, g.topic('telemetry'), 3);
    await checker.waitForAll(run.acked, 120_000);
    const delivery = checker.delivery(run.acked);
    reportFault('coap-gateway Kafka down (spool 32 KiB, overflow reject)', run.sent, delivery, `answers while down ${JSON.stringify(Object.fromEntries(run.codes))}`);
    expect(delivery.lost).toBe(0);
    expect(delivery.reordered).toBe(0);
    // Once the spool drains, the gateway accepts again.
    await waitFor('a 2.04 after Kafka returned', async () => (await (devices as CoapDevices).post(1, 'sensors/dev-1', '{"seq":5000}').catch(() => undefined))?.code === '2.04', { timeoutMs: 60_000, intervalMs: 1000 });
  });
});
