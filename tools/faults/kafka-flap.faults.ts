import { setTimeout as hold } from 'node:timers/promises';
import { type LocalService, type ServiceProcess, run, sharedInfra, waitFor, reportFault, SeqSet } from '@fieldlink/testing';
import { gatewayOnPrivateKafka } from './private-kafka';

const TOTAL = 20_000;
const ROUNDS = 3;
const DEVICE = 'dev-flap';
// The schedule of issue 10: Kafka dies within seconds of the gateway's start and again within
// seconds of each return.
const KILL_AT_RECEIVED = 1000;
const DOWN_MS = 5000;
const UP_BEFORE_NEXT_KILL_MS = 2000;
const DELIVERED_WITHIN_MS = 60_000;

/**
 * Regression for issue 10: Kafka SIGKILLed while the gateway is still settling, several times,
 * with a gateway SIGKILL in between. Before the fix the gateway acknowledged everything, spooled
 * it, and then never replayed the spool: a too-large batch after the first return left the
 * producer marked unhealthy for good.
 */
describe('fault: Kafka restarted in quick succession', () => {
  let kafka: LocalService | undefined;
  let gateway: ServiceProcess | undefined;
  afterEach(async () => {
    await gateway?.kill();
    await kafka?.dispose();
  });

  it(`delivers all ${TOTAL} seqs of a mosquitto_pub burst within ${DELIVERED_WITHIN_MS / 1000} s of Kafka's last return, after ${ROUNDS} quick Kafka SIGKILLs and a gateway SIGKILL`, async () => {
    const infra = await sharedInfra();
    const setup = await gatewayOnPrivateKafka(infra);
    const { started, checker } = setup;
    const broker = (kafka = setup.kafka);
    const running = (gateway = started.gateway);

    // mosquitto_pub (not our code) sends the burst as fast as the broker takes it.
    const lines = Array.from({ length: TOTAL }, (_, seq) => JSON.stringify({ seq, temperature: 20 + (seq % 50) / 10 }));
    const publishing = run('mosquitto_pub', ['-p', String(infra.mqttPort), '-q', '1', '-i', `${started.root}-pub`, '-t', `${started.root}/sensors/${DEVICE}/data`, '-l'], {
      input: lines.join('\n') + '\n',
      timeoutMs: 300_000,
    });

    const received = () => running.metric('fieldlink_ingest_received_total').catch(() => 0);
    // The gateway dies early in the burst, while Mosquitto still holds most of it for its session.
    await waitFor(`the gateway to receive ${KILL_AT_RECEIVED}`, async () => (await received()) >= KILL_AT_RECEIVED, { timeoutMs: 60_000, intervalMs: 20 });
    await running.kill();
    await running.spawn(false);
    // Kafka dies within seconds of the new process's start, mid-burst, so records wait in its
    // producer; then again within seconds of each return.
    await waitFor(`the restarted gateway to receive ${KILL_AT_RECEIVED}`, async () => (await received()) >= KILL_AT_RECEIVED, { timeoutMs: 60_000, intervalMs: 20 });
    for (let round = 1; round <= ROUNDS; round++) {
      await broker.kill();
      await hold(DOWN_MS);
      await broker.start();
      if (round < ROUNDS) await hold(UP_BEFORE_NEXT_KILL_MS);
    }
    const kafkaBackAt = Date.now();

    const published = await publishing;
    expect(published.code).toBe(0);
    const acked = new Map([[DEVICE, new SeqSet()]]);
    for (let seq = 0; seq < TOTAL; seq++) acked.get(DEVICE)?.add(seq);
    try {
      await checker.waitForAll(acked, DELIVERED_WITHIN_MS);
    } catch (error) {
      throw new Error(`${(error as Error).message}\ngateway log tail:\n${running.logs.slice(-6000)}`);
    }
    const deliveredAfterMs = Date.now() - kafkaBackAt;

    const delivery = checker.delivery(acked);
    reportFault(`Kafka SIGKILL x${ROUNDS} in quick succession`, TOTAL, delivery, `all delivered ${(deliveredAfterMs / 1000).toFixed(1)} s after Kafka's last return`);
    expect(delivery.lost).toBe(0);
    expect(delivery.duplicatesAfterDedupe).toBe(0);
    expect(delivery.reordered).toBe(0);
  }, 300_000);
});
