import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalService, type ServiceProcess, freshName, sharedInfra, waitFor } from '@fieldlink/testing';
import { startGateway } from '../test/support';
import { report } from './report';
import { SeqPublisher, deviceId } from './seq-publisher';
import { TelemetryChecker } from './telemetry-checker';

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
    const started = await startGateway(infra, { mqttUrl, config: () => ({ spool: { dir: spoolDir } }) });
    const running = (gateway = started.gateway);
    const checker = new TelemetryChecker(started.brokers, started.topic('telemetry'), 3);
    const pub = (publisher = await SeqPublisher.connect(mqttUrl, freshName('pub'), started.root, 20));
    pub.start(RATE, TOTAL);

    for (let restart = 1; restart <= RESTARTS; restart++) {
      await waitFor(`${(restart * TOTAL) / (RESTARTS + 1)} published`, () => pub.published >= (restart * TOTAL) / (RESTARTS + 1), { timeoutMs: 300_000, intervalMs: 100 });
      const subscribed = subscribedLines(running.logs);
      await broker.restart();
      await waitFor(`the gateway to subscribe again after restart ${restart}`, () => subscribedLines(running.logs) > subscribed, { timeoutMs: 60_000, intervalMs: 100 });
      // Subscribed and flowing: a message published after the restart reaches Kafka.
      const probe = pub.nextSeq(0);
      await waitFor(
        `dev-0's seq ${probe}, published after the restart, to reach Kafka`,
        async () => {
          await checker.poll();
          return checker.has(deviceId(0), probe);
        },
        { timeoutMs: 120_000, intervalMs: 500 },
      );
    }
    await waitFor(`all ${TOTAL} published`, () => pub.published >= TOTAL, { timeoutMs: 300_000, intervalMs: 200 });
    await pub.settle(120_000);
    await checker.waitForAll(pub.acked, 300_000);

    const delivery = checker.delivery(pub.acked);
    report(`Mosquitto restart x${RESTARTS}`, pub.published, delivery, `the gateway subscribed again after each of the ${RESTARTS} restarts`);
    expect(delivery.acknowledged).toBe(TOTAL);
    expect(delivery.lost).toBe(0);
    expect(delivery.duplicatesAfterDedupe).toBe(0);
  }, 900_000);
});
