import { type Telemetry } from '@fieldlink/schemas';
import { freshName, mosquittoPubLines, type ServiceProcess, sharedInfra, startMqttGateway, waitFor, waitForRecords } from '@fieldlink/testing';

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
});
