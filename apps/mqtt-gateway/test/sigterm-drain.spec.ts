import { type CommandResult, type Telemetry } from '@fieldlink/schemas';
import { freshName, mosquittoPub, mosquittoPubLines, produce, readTopic, type ServiceProcess, sharedInfra, startMqttGateway, waitFor, waitForRecords } from '@fieldlink/testing';

const MESSAGES = 3000;

describe('mqtt-gateway SIGTERM', () => {
  let gateway: ServiceProcess | undefined;
  afterEach(async () => {
    await gateway?.kill();
  });

  it('drains, exits 0, and loses nothing of a stream it was stopped in the middle of', async () => {
    const infra = await sharedInfra();
    const started = await startMqttGateway(infra, { clientId: freshName('drain') });
    gateway = started.gateway;
    const running = gateway;

    const publishing = mosquittoPubLines(
      infra.mqttPort,
      `${started.root}/sensors/dev-1/data`,
      Array.from({ length: MESSAGES }, (_, seq) => JSON.stringify({ seq })),
    );
    await waitFor('the gateway to be mid-stream', async () => (await running.metric('fieldlink_ingest_received_total')) > 0, { intervalMs: 10 });
    const code = await running.stop();
    expect({ code, logs: code === 0 ? '' : running.logs.slice(-3000) }).toEqual({ code: 0, logs: '' });
    await publishing;

    await running.spawn(); // same client id: the broker hands over what the first run did not acknowledge
    const records = await waitForRecords(started.brokers, started.topic('telemetry'), MESSAGES, 120_000);
    const seqs = records.map((r) => (JSON.parse(r.payload ?? '') as Telemetry).values['seq']?.value as number);
    expect([...new Set(seqs)]).toEqual(Array.from({ length: MESSAGES }, (_, i) => i));
  });

  it('fails no command because of a SIGTERM: commands produced all through a restart get one result each, delivered', async () => {
    const infra = await sharedInfra();
    const started = await startMqttGateway(infra, { clientId: freshName('drain-cmd') });
    gateway = started.gateway;
    const running = gateway;
    const device = `${started.root}-valve`;
    await mosquittoPub(infra.mqttPort, `${started.root}/sensors/${device}/data`, Buffer.from('{"t":1}'));
    await waitForRecords(started.brokers, started.topic('devices'), 1);

    const ids: string[] = [];
    let producing = true;
    const producer = (async () => {
      while (producing) {
        const id = `${started.root}-c${ids.length}`;
        await produce(started.brokers, started.topic('commands'), device, JSON.stringify({ schemaVersion: 1, id, deviceId: device, action: 'ping' }));
        ids.push(id);
      }
    })();
    const results = async () => (await readTopic(started.brokers, started.topic('command-results'))).map((r) => JSON.parse(r.payload ?? '') as CommandResult);
    // Counted by the gateway: kcat -e may never see the end of a topic written to all the time.
    await waitFor('commands flowing', async () => (await running.metric('fieldlink_commands_total', { status: 'delivered' })) >= 5, { timeoutMs: 60_000, intervalMs: 200 });
    expect(await running.stop()).toBe(0);
    const whileDown = ids.length;
    await waitFor('commands produced while the gateway is down', () => ids.length >= whileDown + 5);
    await running.spawn();
    const afterRestart = ids.length;
    await waitFor('commands produced after the restart', () => ids.length >= afterRestart + 5);
    producing = false;
    await producer;

    // Read once the commands have stopped, so the results topic stops growing too.
    const all = await waitFor('a result for every command', async () => {
      const got = await results();
      return got.length >= ids.length && got;
    }, { timeoutMs: 60_000, intervalMs: 500 });
    expect(all.filter((r) => r.status !== 'delivered')).toEqual([]);
    expect(all.map((r) => r.id).sort()).toEqual([...ids].sort());
  });
});
