import { KafkaService } from '@fieldlink/kafka';
import { mosquittoPubLines, type ServiceProcess, sharedInfra, startMqttGateway, waitFor } from '@fieldlink/testing';
import pino from 'pino';
import { Registry } from 'prom-client';

const STALL_MS = 10_000;

describe('Kafka watchdog in the mqtt-gateway', () => {
  let gateway: ServiceProcess | undefined;
  afterEach(async () => {
    await gateway?.kill();
  });

  // A stall no client-side retry or rebuild can cure while the broker keeps answering: the
  // telemetry topic is deleted under the gateway (whose producer never creates topics), so every
  // produce meets the retriable UNKNOWN_TOPIC_OR_PARTITION, forever, while metadata requests succeed.
  it('rebuilds the Kafka clients when records wait and nothing is delivered, then fails /health/live when that does not help', async () => {
    const infra = await sharedInfra();
    const started = await startMqttGateway(infra, { config: () => ({ kafka: { watchdog: { stallMs: STALL_MS } } }) });
    const running = (gateway = started.gateway);
    const root = started.root;
    expect((await running.get('/health/live')).status).toBe(200);
    const admin = new KafkaService({ brokers: [infra.kafkaBrokers], clientId: root, registry: new Registry(), logger: pino({ level: 'silent' }) });
    await admin.deleteTopics([started.topic('telemetry')]);
    await admin.close(1000);

    await mosquittoPubLines(infra.mqttPort, `${root}/sensors/dev-1/data`, [JSON.stringify({ temperature: 21 })]);
    await waitFor('the watchdog to rebuild the Kafka clients', async () => (await running.metric('fieldlink_kafka_watchdog_rebuilds_total')) === 1, { timeoutMs: 45_000, intervalMs: 200 }).catch((error: Error) => {
      throw new Error(`${error.message}\ngateway log tail:\n${running.logs.slice(-5000)}`);
    });
    expect(running.logs).toContain('our clients have moved nothing; rebuilding them');
    expect((await running.get('/health/live')).status).toBe(200);

    const live = await waitFor('/health/live to fail', async () => {
      const res = await running.get('/health/live');
      return res.status === 503 ? res : undefined;
    }, { timeoutMs: 45_000, intervalMs: 200 });
    expect(JSON.parse(live.body)).toMatchObject({ status: 'stalled' });
    expect(await running.metric('fieldlink_kafka_watchdog_liveness_failures_total')).toBe(1);
    expect(running.logs).toContain('still move nothing after a rebuild; failing /health/live');
    expect(await running.metric('fieldlink_kafka_watchdog_rebuilds_total')).toBe(1);
  });
});
