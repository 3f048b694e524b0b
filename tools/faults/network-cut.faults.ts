import { setTimeout as sleep } from 'node:timers/promises';
import { freshName, reportFault, SeqPublisher, sharedInfra, TelemetryChecker, waitFor } from '@fieldlink/testing';
import { GatewayBehindProxy } from './gateway-behind-proxy';

const CUTS = 5;
const CUT_MS = 30_000;
const RATE = 1000;

describe('fault: network path to Kafka cut', () => {
  let stack: GatewayBehindProxy | undefined;
  let publisher: SeqPublisher | undefined;
  afterEach(async () => {
    await publisher?.end();
    await stack?.dispose();
  });

  it(`loses nothing when the path to Kafka is cut for ${CUT_MS / 1000} s, ${CUTS} times, by Toxiproxy`, async () => {
    const infra = await sharedInfra();
    const { proxy: path, started } = (stack = await GatewayBehindProxy.start(infra));
    const running = started.gateway;
    const checker = new TelemetryChecker(path.address, started.topic('telemetry'), 3);
    const pub = (publisher = await SeqPublisher.connect(infra.mqttUrl, freshName('pub'), started.root, 20));
    pub.start(RATE);

    const kinds: string[] = [];
    for (let cut = 1; cut <= CUTS; cut++) {
      const produced = await running.metric('fieldlink_kafka_produced_total');
      await waitFor('the gateway to produce before the cut', async () => (await running.metric('fieldlink_kafka_produced_total')) > produced, { timeoutMs: 120_000, intervalMs: 200 }).catch((err: Error) => {
        throw new Error(`${err.message}; the gateway's last log lines:\n${running.logs.split('\n').slice(-30).join('\n')}`);
      });
      // Alternately refused connections and a silent black hole, where nothing answers.
      const kind = cut % 2 === 1 ? 'refused' : 'black hole';
      kinds.push(kind);
      await (kind === 'refused' ? path.cut() : path.blackhole());
      // The fault itself lasts a fixed time; every check around it waits on conditions.
      await sleep(CUT_MS);
      await path.restore();
    }
    pub.stopPublishing();
    await pub.settle(120_000);
    await checker.waitForAll(pub.acked, 300_000);

    const delivery = checker.delivery(pub.acked);
    const spooled = await running.metric('fieldlink_spool_spooled_total');
    const logLines = (text: string) => running.logs.split('\n').filter((line) => line.includes(text)).length;
    const closed = logLines('Kafka request timed out; closing the connection');
    const replaced = logLines('Kafka lost track of our idempotent producer');
    reportFault(
      `network cut ${CUT_MS / 1000} s x${CUTS}`,
      pub.published,
      delivery,
      `cuts: ${kinds.join(', ')}; spooled ${spooled}; ${closed} connections closed after a request timeout, ${replaced} idempotent producers replaced`,
    );
    expect(delivery.acknowledged).toBe(pub.published);
    expect(delivery.lost).toBe(0);
    expect(delivery.duplicatesAfterDedupe).toBe(0);
    expect(delivery.reordered).toBe(0);
  }, 900_000);
});
