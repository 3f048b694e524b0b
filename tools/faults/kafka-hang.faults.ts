import { setTimeout as hold } from 'node:timers/promises';
import { freshName, reportFault, SeqPublisher, sharedInfra, TelemetryChecker, waitFor } from '@fieldlink/testing';
import { GatewayBehindProxy } from './gateway-behind-proxy';

const READINGS = 20_000;
const RATE = 250;
const HANG_MS = 60_000;
// spool.stallMs (3 s by default) plus the spool's 200 ms watch, with room for a loaded machine.
const DETECT_WITHIN_MS = 10_000;

describe('fault: Kafka hangs (connections held open, no bytes pass)', () => {
  let stack: GatewayBehindProxy | undefined;
  let publisher: SeqPublisher | undefined;
  afterEach(async () => {
    await publisher?.end();
    await stack?.dispose();
  });

  it(`spools within ${DETECT_WITHIN_MS / 1000} s of a ${HANG_MS / 1000} s hang and delivers all ${READINGS} readings of one device, first copies in order`, async () => {
    const infra = await sharedInfra();
    const { proxy: path, started } = (stack = await GatewayBehindProxy.start(infra));
    const running = started.gateway;
    const pub = (publisher = await SeqPublisher.connect(infra.mqttUrl, freshName('pub'), started.root, 1));
    pub.start(RATE, READINGS);
    await waitFor('readings in Kafka before the hang', async () => (await running.metric('fieldlink_kafka_produced_total')) >= RATE * 5, { timeoutMs: 60_000, intervalMs: 200 });

    // Toxiproxy's timeout toxic: every connection stays open and nothing passes, as when a
    // firewall drops packets or a broker's host freezes. No send fails for a long time.
    await path.blackhole();
    const hungAt = Date.now();
    await waitFor('the gateway to spool', async () => (await running.metric('fieldlink_spool_spooled_total')) > 0, { timeoutMs: DETECT_WITHIN_MS, intervalMs: 100 });
    const detectedMs = Date.now() - hungAt;
    // The hang is the fault being injected, so it is held for its full length while the load goes on.
    await hold(HANG_MS - (Date.now() - hungAt));
    await path.restore();

    await waitFor(`all ${READINGS} readings published`, () => pub.published >= READINGS, { timeoutMs: 300_000, intervalMs: 200 });
    await pub.settle(120_000);
    const checker = new TelemetryChecker(path.address, started.topic('telemetry'), 3);
    await checker.waitForAll(pub.acked, 300_000);
    const delivery = checker.delivery(pub.acked);
    const spooled = await running.metric('fieldlink_spool_spooled_total');
    reportFault(`Kafka hung ${HANG_MS / 1000} s (timeout toxic), one device`, pub.published, delivery, `spooling began ${(detectedMs / 1000).toFixed(1)} s into the hang; spooled ${spooled}`);
    expect(delivery.acknowledged).toBe(READINGS);
    expect(delivery.lost).toBe(0);
    expect(delivery.duplicatesAfterDedupe).toBe(0);
    expect(delivery.reordered).toBe(0);
  }, 600_000);
});
