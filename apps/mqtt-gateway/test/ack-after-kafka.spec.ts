import { type Telemetry } from '@fieldlink/schemas';
import { freshName, LocalService, mosquittoPubLines, type MqttGatewayUnderTest, type ServiceProcess, sharedInfra, startMqttGateway, waitFor, waitForRecords } from '@fieldlink/testing';

const DEVICES = 3;
const PER_PHASE = 300;

describe('mqtt-gateway acknowledges only after Kafka', () => {
  let kafka: LocalService | undefined;
  let gateway: ServiceProcess | undefined;
  afterEach(async () => {
    await gateway?.kill();
    await kafka?.dispose();
  });

  // With the spool disabled: acknowledgements wait for Kafka itself (spool-sigkill.spec.ts covers the spool).
  // MQTT 3.1.1 too: mqtt.js once acknowledged every 3.1.1 message on arrival (see MqttIngress.start).
  it.each([5, 4])('holds QoS 1 acks while Kafka is down and loses nothing, even if the gateway dies meanwhile (MQTT protocol level %i)', async (protocolVersion) => {
    const infra = await sharedInfra();
    kafka = await LocalService.kafka();
    const started: MqttGatewayUnderTest = await startMqttGateway(infra, { brokers: kafka.address, clientId: freshName('ack'), config: () => ({ mqtt: { sessionExpirySeconds: 600, protocolVersion }, spool: { enabled: false } }) });
    gateway = started.gateway;
    const running = gateway;
    const publish = (from: number) =>
      Promise.all(
        Array.from({ length: DEVICES }, (_, d) =>
          mosquittoPubLines(
            infra.mqttPort,
            `${started.root}/sensors/dev-${d}/data`,
            Array.from({ length: PER_PHASE / DEVICES }, (_, i) => JSON.stringify({ seq: from + i })),
          ),
        ),
      );
    const received = () => running.metric('fieldlink_ingest_received_total');

    // Phase A: Kafka dies, messages arrive, the gateway is SIGKILLed before Kafka returns.
    // Had it acknowledged anything, the broker would not redeliver it and it would be lost.
    await kafka.kill();
    await publish(0);
    await waitFor('the gateway to receive phase A', async () => (await received()) >= PER_PHASE);
    expect(await running.metric('fieldlink_ingest_forwarded_total')).toBe(0);
    await running.kill();
    await kafka.start();
    await running.spawn(); // same client id: the broker redelivers the unacknowledged messages
    await waitForRecords(started.brokers, started.topic('telemetry'), PER_PHASE, 120_000);

    // Phase B: Kafka dies while the gateway stays up; it retries until Kafka is back.
    await kafka.kill();
    await publish(1000);
    await waitFor('the gateway to receive phase B', async () => (await received()) >= 2 * PER_PHASE);
    await kafka.start();

    const records = await waitForRecords(started.brokers, started.topic('telemetry'), 2 * PER_PHASE, 120_000);
    const seqs = new Map<string, number[]>();
    for (const r of records) {
      const t = JSON.parse(r.payload ?? '') as Telemetry;
      seqs.set(t.deviceId, [...(seqs.get(t.deviceId) ?? []), t.values['seq']?.value as number]);
    }
    const perDevice = PER_PHASE / DEVICES;
    const expected = [...Array.from({ length: perDevice }, (_, i) => i), ...Array.from({ length: perDevice }, (_, i) => 1000 + i)];
    expect(records).toHaveLength(2 * PER_PHASE);
    for (let d = 0; d < DEVICES; d++) expect(seqs.get(`dev-${d}`)).toEqual(expected);
  });
});
