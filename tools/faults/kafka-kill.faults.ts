import { freshName, type LocalService, reportFault, SeqPublisher, type ServiceProcess, sharedInfra, waitFor } from '@fieldlink/testing';
import { gatewayOnPrivateKafka } from './private-kafka';

const TOTAL = 200_000;
const KILLS = 5;
const RATE = 2500;

describe('fault: Kafka broker SIGKILLed', () => {
  let kafka: LocalService | undefined;
  let gateway: ServiceProcess | undefined;
  let publisher: SeqPublisher | undefined;
  afterEach(async () => {
    await publisher?.end();
    await gateway?.kill();
    await kafka?.dispose();
  });

  it(`loses nothing acknowledged when Kafka is SIGKILLed and restarted ${KILLS} times during a ${TOTAL}-message QoS 1 run`, async () => {
    const infra = await sharedInfra();
    const setup = await gatewayOnPrivateKafka(infra);
    const { started, checker } = setup;
    kafka = setup.kafka;
    const running = (gateway = started.gateway);
    const pub = (publisher = await SeqPublisher.connect(infra.mqttUrl, freshName('pub'), started.root, 20));
    pub.start(RATE, TOTAL);

    const broker = kafka;
    for (let kill = 1; kill <= KILLS; kill++) {
      await waitFor(`${(kill * TOTAL) / (KILLS + 1)} published`, () => pub.published >= (kill * TOTAL) / (KILLS + 1), { timeoutMs: 300_000, intervalMs: 100 });
      const failures = await running.metric('fieldlink_kafka_send_failures_total');
      await broker.kill();
      await waitFor('the gateway to notice Kafka is gone', async () => (await running.metric('fieldlink_kafka_send_failures_total')) > failures, { timeoutMs: 120_000, intervalMs: 200 });
      const produced = await running.metric('fieldlink_kafka_produced_total');
      await broker.start();
      await waitFor('the gateway to produce again', async () => (await running.metric('fieldlink_kafka_produced_total')) > produced, { timeoutMs: 120_000, intervalMs: 200 });
    }
    await waitFor(`all ${TOTAL} published`, () => pub.published >= TOTAL, { timeoutMs: 300_000, intervalMs: 200 });
    await pub.settle(120_000);
    await checker.waitForAll(pub.acked, 300_000);

    const delivery = checker.delivery(pub.acked);
    const replayed = await running.metric('fieldlink_spool_replayed_total');
    reportFault('Kafka SIGKILL x5', pub.published, delivery, `spool replayed ${replayed}`);
    expect(delivery.acknowledged).toBe(TOTAL);
    expect(delivery.lost).toBe(0);
    expect(delivery.rawDuplicates).toBeLessThanOrEqual(0.005 * TOTAL);
    expect(delivery.duplicatesAfterDedupe).toBe(0);
    expect(delivery.reordered).toBe(0);
  }, 900_000);
});
