import { setTimeout as hold } from 'node:timers/promises';
import { type Command, type CommandResult, SCHEMA_VERSION } from '@fieldlink/schemas';
import { type LocalService, mosquittoPubLines, mosquittoSub, produce, readTopic, reportFault, SeqSet, type ServiceProcess, sharedInfra, waitFor } from '@fieldlink/testing';
import { gatewayOnPrivateKafka } from './private-kafka';

// kafkajs gives up its own retries after about 6 s (5 retries, 200 ms doubling); this is far past that.
const DOWN_MS = 60_000;
const RESUME_WITHIN_MS = 30_000;
const BEFORE = 100;
const DURING = 500;
const DEVICE = 'dev-outage';

describe('fault: Kafka down for longer than kafkajs retries', () => {
  let kafka: LocalService | undefined;
  let gateway: ServiceProcess | undefined;
  let closeSub: (() => void) | undefined;
  afterEach(async () => {
    closeSub?.();
    await gateway?.kill();
    await kafka?.dispose();
  });

  it(`delivers telemetry and commands again within ${RESUME_WITHIN_MS / 1000} s of Kafka's return after ${DOWN_MS / 1000} s away`, async () => {
    const infra = await sharedInfra();
    const setup = await gatewayOnPrivateKafka(infra);
    const { started, checker } = setup;
    const broker = (kafka = setup.kafka);
    const running = (gateway = started.gateway);
    const sub = await mosquittoSub(infra.mqttPort, `${started.root}/commands/${DEVICE}`);
    closeSub = sub.close;
    const topic = `${started.root}/sensors/${DEVICE}/data`;
    const readings = (from: number, count: number) => Array.from({ length: count }, (_, i) => JSON.stringify({ seq: from + i, temperature: 21 }));
    const acked = new Map([[DEVICE, new SeqSet()]]);
    const ack = (from: number, count: number) => {
      for (let seq = from; seq < from + count; seq++) acked.get(DEVICE)?.add(seq);
    };

    await mosquittoPubLines(infra.mqttPort, topic, readings(0, BEFORE));
    ack(0, BEFORE);
    await checker.waitForAll(acked, 30_000);

    await broker.kill();
    const downAt = Date.now();
    // Published while Kafka is away: the gateway spools them and acknowledges.
    await mosquittoPubLines(infra.mqttPort, topic, readings(BEFORE, DURING));
    ack(BEFORE, DURING);
    await waitFor('the gateway to spool the readings', async () => (await running.metric('fieldlink_spool_spooled_total')) >= DURING, { timeoutMs: 30_000 });
    await waitFor('the producer to show as disconnected', async () => (await running.metric('fieldlink_kafka_connected', { client: 'producer' })) === 0, { timeoutMs: 30_000 });
    // The outage itself is the fault being injected, so it is held for its full length.
    await hold(DOWN_MS - (Date.now() - downAt));
    await broker.start();
    const backAt = Date.now();

    const command: Command = { schemaVersion: SCHEMA_VERSION, id: `cmd-${started.root}`, deviceId: DEVICE, action: 'reboot', args: {} };
    await produce(broker.address, started.topic('commands'), DEVICE, JSON.stringify(command));
    try {
      await checker.waitForAll(acked, RESUME_WITHIN_MS);
      await waitFor('the command on the device topic', () => sub.lines.some((l) => l.includes(command.id)), { timeoutMs: RESUME_WITHIN_MS - (Date.now() - backAt) });
    } catch (error) {
      throw new Error(`${(error as Error).message}\ngateway log tail:\n${running.logs.slice(-6000)}`);
    }
    const resumedAfterMs = Date.now() - backAt;
    const results = await waitFor('the command result', async () => {
      const records = await readTopic(broker.address, started.topic('command-results'));
      return records.length > 0 ? records.map((r) => JSON.parse(r.payload ?? '{}') as CommandResult) : undefined;
    });
    expect(results.map((r) => [r.id, r.status])).toEqual([[command.id, 'delivered']]);
    expect(await running.metric('fieldlink_kafka_connected', { client: 'commands-consumer' })).toBe(1);

    const delivery = checker.delivery(acked);
    reportFault(`Kafka down ${DOWN_MS / 1000} s`, BEFORE + DURING, delivery, `telemetry and a command delivered ${(resumedAfterMs / 1000).toFixed(1)} s after Kafka's return`);
    expect(delivery.lost).toBe(0);
    expect(delivery.duplicatesAfterDedupe).toBe(0);
    expect(delivery.reordered).toBe(0);
  }, 240_000);
});
