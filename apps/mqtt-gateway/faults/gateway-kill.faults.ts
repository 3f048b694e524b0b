import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshName, reportFault, SeqPublisher, type ServiceProcess, sharedInfra, startMqttGateway, TelemetryChecker, waitFor } from '@fieldlink/testing';

const TOTAL = 100_000;
const KILLS = 5;
const RATE = 2000;
const RESUME_WITHIN_MS = 10_000;

describe('fault: gateway SIGKILLed', () => {
  let gateway: ServiceProcess | undefined;
  let publisher: SeqPublisher | undefined;
  afterEach(async () => {
    await publisher?.end();
    await gateway?.kill();
  });

  it(`loses nothing when the gateway is SIGKILLed ${KILLS} times during a run, and forwards again within ${RESUME_WITHIN_MS / 1000} s of each restart`, async () => {
    const infra = await sharedInfra();
    const spoolDir = mkdtempSync(join(tmpdir(), 'fieldlink-spool-'));
    const started = await startMqttGateway(infra, { config: () => ({ spool: { dir: spoolDir } }) });
    const running = (gateway = started.gateway);
    const checker = new TelemetryChecker(started.brokers, started.topic('telemetry'), 3);
    const pub = (publisher = await SeqPublisher.connect(infra.mqttUrl, freshName('pub'), started.root, 20));
    pub.start(RATE, TOTAL);

    const resumedAfterMs: number[] = [];
    for (let kill = 1; kill <= KILLS; kill++) {
      await waitFor(`${(kill * TOTAL) / (KILLS + 1)} published`, () => pub.published >= (kill * TOTAL) / (KILLS + 1), { timeoutMs: 300_000, intervalMs: 100 });
      await running.kill();
      const restartedAt = Date.now();
      await running.spawn(false);
      // The new process's counters start at 0: its first forwarded record is the resumption.
      await waitFor('the restarted gateway to forward', async () => (await running.metric('fieldlink_ingest_forwarded_total').catch(() => 0)) > 0, { timeoutMs: 60_000, intervalMs: 100 });
      resumedAfterMs.push(Date.now() - restartedAt);
    }
    await waitFor(`all ${TOTAL} published`, () => pub.published >= TOTAL, { timeoutMs: 300_000, intervalMs: 200 });
    await pub.settle(120_000);
    await checker.waitForAll(pub.acked, 300_000);

    const delivery = checker.delivery(pub.acked);
    reportFault(`gateway SIGKILL x${KILLS}`, pub.published, delivery, `forwarding resumed ${resumedAfterMs.map((ms) => (ms / 1000).toFixed(1)).join(', ')} s after each restart`);
    expect(delivery.acknowledged).toBe(TOTAL);
    expect(delivery.lost).toBe(0);
    expect(delivery.duplicatesAfterDedupe).toBe(0);
    expect(delivery.reordered).toBe(0);
    expect(Math.max(...resumedAfterMs)).toBeLessThanOrEqual(RESUME_WITHIN_MS);
  }, 900_000);
});
