import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshName, LocalService, reportFault, SeqPublisher, type ServiceProcess, sharedInfra, startMqttGateway, TelemetryChecker, waitFor } from '@fieldlink/testing';

const TOTAL = 100_000;
const RESTARTS = 5;
const RATE = 2000;

const subscribedLines = (logs: string): number => logs.split('\n').filter((l) => l.includes('MQTT subscribed')).length;

describe('fault: Mosquitto restarted', () => {
  let mosquitto: LocalService | undefined;
  let gateway: ServiceProcess | undefined;
  let publisher: SeqPublisher | undefined;
  afterEach(async () => {
    await publisher?.end();
    await gateway?.kill();
    await mosquitto?.dispose();
  });

  it(`loses nothing when Mosquitto restarts ${RESTARTS} times during a run, and the gateway subscribes again every time`, async () => {
    const infra = await sharedInfra();
    const broker = (mosquitto = await LocalService.mosquitto());
    const mqttUrl = `mqtt://${broker.address}`;
    const spoolDir = mkdtempSync(join(tmpdir(), 'fieldlink-spool-'));
    const started = await startMqttGateway(infra, { mqttUrl, config: () => ({ spool: { dir: spoolDir } }) });
    const running = (gateway = started.gateway);
    const checker = new TelemetryChecker(started.brokers, started.topic('telemetry'), 3);
    const pub = (publisher = await SeqPublisher.connect(mqttUrl, freshName('pub'), started.root, 20));
    pub.start(RATE, TOTAL);

    for (let restart = 1; restart <= RESTARTS; restart++) {
      const due = (restart * TOTAL) / (RESTARTS + 1);
      await waitFor(`${due} published`, () => pub.published >= due, { timeoutMs: 300_000, intervalMs: 100 });
      const subscribed = subscribedLines(running.logs);
      await broker.restart();
      await waitFor(`the gateway to subscribe again after restart ${restart}`, () => subscribedLines(running.logs) > subscribed, { timeoutMs: 60_000, intervalMs: 100 });
      // Subscribed and flowing: the gateway receives messages on its new connection.
      const received = await running.metric('fieldlink_ingest_received_total');
      await waitFor(`the gateway to receive again after restart ${restart}`, async () => (await running.metric('fieldlink_ingest_received_total')) > received, { timeoutMs: 60_000, intervalMs: 100 });
    }
    await waitFor(`all ${TOTAL} published`, () => pub.published >= TOTAL, { timeoutMs: 300_000, intervalMs: 200 });
    await pub.settle(120_000);
    await checker.waitForAll(pub.acked, 300_000);

    const delivery = checker.delivery(pub.acked);
    reportFault(`Mosquitto restart x${RESTARTS}`, pub.published, delivery, `${pub.failed} publishes failed at the device (never acknowledged); the gateway subscribed again after each of the ${RESTARTS} restarts`);
    expect(delivery.acknowledged + pub.failed).toBe(TOTAL);
    expect(delivery.lost).toBe(0);
    expect(delivery.reordered).toBe(0);
    // Not asserted: duplicates after dedupe. A device whose PUBACK was lost in the restart
    // publishes again, and the broker forwards that as a new message, under a new packet id.
  }, 900_000);
});
