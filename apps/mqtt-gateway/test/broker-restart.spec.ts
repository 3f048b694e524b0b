import { type Telemetry } from '@fieldlink/schemas';
import { freshName, LocalService, mosquittoPubLines, type ServiceProcess, sharedInfra, startMqttGateway, waitFor, waitForRecords } from '@fieldlink/testing';

const PER_PHASE = 200;

describe('mqtt-gateway across broker restarts', () => {
  let broker: LocalService | undefined;
  let gateway: ServiceProcess | undefined;
  afterEach(async () => {
    await gateway?.kill();
    await broker?.dispose();
  });

  // The reconnect path is where mqtt.js has lost messages before (mqttjs#2015, #895).
  it('reconnects, resubscribes and loses nothing when Mosquitto restarts twice', async () => {
    const infra = await sharedInfra();
    broker = await LocalService.mosquitto();
    const mqttUrl = `mqtt://${broker.address}`;
    const started = await startMqttGateway(infra, { mqttUrl, clientId: freshName('restart') });
    gateway = started.gateway;
    const running = gateway;
    const publish = (from: number) =>
      mosquittoPubLines(
        broker?.port ?? 0,
        `${started.root}/sensors/dev-1/data`,
        Array.from({ length: PER_PHASE }, (_, i) => JSON.stringify({ seq: from + i })),
      );

    await publish(0);
    for (const phase of [1, 2]) {
      await broker.restart();
      await waitFor('the gateway to reconnect', async () => (await running.get('/health/ready')).status === 200, { timeoutMs: 60_000 });
      await publish(phase * 1000);
    }

    const records = await waitForRecords(started.brokers, started.topic('telemetry'), 3 * PER_PHASE, 120_000);
    const seqs = records.map((r) => (JSON.parse(r.payload ?? '') as Telemetry).values['seq']?.value as number);
    const expected = [0, 1000, 2000].flatMap((from) => Array.from({ length: PER_PHASE }, (_, i) => from + i));
    // At-least-once: a message in flight at a restart may come twice, never not at all, and order holds.
    expect([...new Set(seqs)]).toEqual(expected);
    expect(seqs.length - expected.length).toBeLessThanOrEqual(2 * 1000);
  });
});
