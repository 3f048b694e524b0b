import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalService, type ServiceProcess, Toxiproxy, freePort, freshName, sharedInfra, waitFor } from '@fieldlink/testing';
import { startGateway } from '../test/support';
import { report } from './report';
import { SeqPublisher } from './seq-publisher';
import { TelemetryChecker } from './telemetry-checker';

const CUTS = 5;
const CUT_MS = 30_000;
const RATE = 1000;

describe('fault: network path to Kafka cut', () => {
  let kafka: LocalService | undefined;
  let proxy: Toxiproxy | undefined;
  let gateway: ServiceProcess | undefined;
  let publisher: SeqPublisher | undefined;
  afterEach(async () => {
    await publisher?.end();
    await gateway?.kill();
    await proxy?.dispose();
    await kafka?.dispose();
  });

  it(`loses nothing when the path to Kafka is cut for ${CUT_MS / 1000} s, ${CUTS} times, by Toxiproxy`, async () => {
    const infra = await sharedInfra();
    const kafkaPort = await freePort();
    const path = (proxy = await Toxiproxy.start(`127.0.0.1:${kafkaPort}`));
    // Kafka tells clients to connect through the proxy, so no connection bypasses the cut.
    kafka = await LocalService.kafka({ port: kafkaPort, advertisedPort: path.port });
    const spoolDir = mkdtempSync(join(tmpdir(), 'fieldlink-spool-'));
    const started = await startGateway(infra, { brokers: path.address, config: () => ({ spool: { dir: spoolDir } }) });
    const running = (gateway = started.gateway);
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
    report(`network cut ${CUT_MS / 1000} s x${CUTS}`, pub.published, delivery, `cuts: ${kinds.join(', ')}; spooled ${spooled}`);
    expect(delivery.acknowledged).toBe(pub.published);
    expect(delivery.lost).toBe(0);
    expect(delivery.duplicatesAfterDedupe).toBe(0);
  }, 900_000);
});
