import { randomUUID } from 'node:crypto';
import { type Telemetry } from '@fieldlink/schemas';
import { LocalService, freshName, readTopic, run, sharedInfra, startMqttGateway, waitFor } from '@fieldlink/testing';

const USER = freshName('gw-user');
const PASSWORD = `pw-${randomUUID()}`;
const WRONG = `wrong-${randomUUID()}`;
const SECRETS = [USER, PASSWORD, WRONG];

describe('mqtt-gateway with a broker that wants a user name and password in mqtt.url', () => {
  let broker: LocalService;
  beforeAll(async () => {
    broker = await LocalService.mosquitto({ credentials: { username: USER, password: PASSWORD } });
  });
  afterAll(async () => {
    await broker?.dispose();
  });

  it('logs in with the credentials in the URL and logs the URL without them', async () => {
    const started = await startMqttGateway(await sharedInfra(), { mqttUrl: `mqtt://${USER}:${PASSWORD}@${broker.address}`, secrets: SECRETS });
    try {
      const topic = `${started.root}/sensors/dev-1/data`;
      const published = await run('mosquitto_pub', ['-p', String(broker.port), '-u', USER, '-P', PASSWORD, '-q', '1', '-t', topic, '-m', '{"temperature": 21.5}']);
      expect(published.code).toBe(0);
      const records = await waitFor('the reading in Kafka', async () => {
        const found = await readTopic(started.brokers, started.topic('telemetry'));
        return found.length > 0 ? found : undefined;
      }, { timeoutMs: 30_000 });
      expect((JSON.parse(records[0]?.payload ?? '') as Telemetry).deviceId).toBe('dev-1');
      expect(started.gateway.logs).toContain(`"url":"mqtt://***@${broker.address}"`);
    } finally {
      // Throws if any line, those printed while draining included, held the user name or a password.
      await started.gateway.stop();
    }
  });

  it('retries a refused password with backoff, and its warnings name the broker but not the credentials', async () => {
    const started = await startMqttGateway(await sharedInfra(), {
      mqttUrl: `mqtt://${USER}:${WRONG}@${broker.address}`,
      config: () => ({ mqtt: { sessionExpirySeconds: 600, reconnectPeriodMs: 200, reconnectMaxMs: 2000 } }),
      waitReady: false,
      secrets: SECRETS,
    });
    try {
      const refused = (): string[] => started.gateway.logs.split('\n').filter((l) => l.includes('MQTT connection closed or refused; reconnecting'));
      await waitFor('three refused attempts', () => refused().length >= 3, { timeoutMs: 30_000, intervalMs: 200 });
      expect(refused().every((l) => l.includes(`"url":"mqtt://***@${broker.address}"`))).toBe(true);
      expect((await started.gateway.get('/health/ready')).status).toBe(503);
    } finally {
      await started.gateway.kill();
    }
  });
});
