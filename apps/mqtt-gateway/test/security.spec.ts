import { spawn } from 'node:child_process';
import { type Telemetry } from '@fieldlink/schemas';
import { freePort, freshName, type KeyPair, keySecret, LocalService, makePki, readTopic, run, ServiceProcess, sharedInfra, startMqttGateway, type TestPki, waitFor, writeConfig } from '@fieldlink/testing';

const USER = 'fieldlink';
const PASSWORD = `pw-${freshName('s')}`;
const WRONG_PASSWORD = 'not-the-password';
const DEFAULT_MAPPINGS = {
  mappings: [
    { name: 'telemetry', topic: 'sensors/{deviceId}/data' },
    { name: 'status', topic: 'devices/{deviceId}/status', kind: 'status' },
  ],
  commands: { topic: 'commands/{deviceId}' },
};

const tlsArgs = (pki: TestPki, pair: KeyPair): string[] => ['--cafile', pki.ca, '--cert', pair.cert, '--key', pair.key];

interface LogLine {
  msg?: string;
  err?: unknown;
  hint?: string;
  retryInMs?: number;
}
const logLines = (logs: string, msg: string): LogLine[] =>
  logs
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine)
    .filter((l) => l.msg?.includes(msg));

describe('security: mTLS with an ACL to Mosquitto, SASL_SSL with SCRAM-SHA-512 to Kafka', () => {
  let pki: TestPki;
  let mosquitto: LocalService;
  let kafka: LocalService;
  let saslBrokers: string;
  const services: ServiceProcess[] = [];

  beforeAll(async () => {
    pki = await makePki(['fieldlink-gateway', 'dev-1', 'dev-2']);
    mosquitto = await LocalService.mosquittoTls(pki, pki.clients['dev-1']);
    const port = await freePort();
    kafka = await LocalService.kafka({ saslSsl: { port, keystore: pki.serverKeystore, username: USER, password: PASSWORD } });
    saslBrokers = `127.0.0.1:${port}`;
  });
  afterEach(async () => {
    await Promise.all(services.splice(0).map((s) => s.kill()));
  });
  afterAll(async () => {
    await mosquitto?.dispose();
    await kafka?.dispose();
  });

  const mqttUrl = () => `mqtts://${mosquitto.address}`;
  const kafkaSecurity = () => ({ tls: { caFile: pki.ca }, sasl: { mechanism: 'scram-sha-512', username: USER } });
  const gatewayConfig = (tls: Record<string, string>) => () => ({
    ...DEFAULT_MAPPINGS,
    mqtt: { sessionExpirySeconds: 600, reconnectPeriodMs: 200, reconnectMaxMs: 5000, tls },
    kafka: kafkaSecurity(),
  });
  const goodTls = () => ({ caFile: pki.ca, certFile: pki.clients['fieldlink-gateway']?.cert ?? '', keyFile: pki.clients['fieldlink-gateway']?.key ?? '' });
  // Every secret this suite uses; no service may print one (the harness checks each line). The SASL user name is no secret, and too common a word to look for.
  const secrets = () => [PASSWORD, WRONG_PASSWORD, keySecret(goodTls().keyFile), keySecret(pki.expired.key)];

  it('carries a device reading to Kafka and a shutdown back to the device, with every hop authenticated, and holds each device to its own topics', async () => {
    const infra = await sharedInfra();
    const started = await startMqttGateway(infra, { brokers: saslBrokers, mqttUrl: mqttUrl(), config: gatewayConfig(goodTls()), env: { KAFKA_SASL_PASSWORD: PASSWORD }, secrets: secrets() });
    services.push(started.gateway);
    const processor = await ServiceProcess.start('stream-processor', {
      // A value rule, so the one hot reading is enough for a command (the default decides on anomalies, which need history).
      FIELDLINK_CONFIG: writeConfig({ kafka: kafkaSecurity(), rules: [{ name: 'overheat', metric: 'temperature', when: 'value', above: 85, action: 'shutdown' }] }),
      KAFKA_BROKERS: saslBrokers,
      KAFKA_SASL_PASSWORD: PASSWORD,
      TOPIC_PREFIX: started.prefix,
      LOG_LEVEL: 'info',
    }, { secrets: secrets() });
    services.push(processor);

    const dev1 = pki.clients['dev-1'];
    const dev2 = pki.clients['dev-2'];
    const sub = spawn('stdbuf', ['-oL', 'mosquitto_sub', '-p', String(mosquitto.port), ...tlsArgs(pki, dev1), '-q', '1', '-v', '-d', '-t', 'commands/dev-1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    sub.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
    try {
      await waitFor('dev-1 subscribed to its commands', () => output.includes('SUBACK'), { timeoutMs: 10_000 });
      const pub = (pair: KeyPair, topic: string, body: string) => run('mosquitto_pub', ['-p', String(mosquitto.port), ...tlsArgs(pki, pair), '-V', 'mqttv5', '-q', '1', '-t', topic, '-m', body]);

      const spoof = await pub(dev1, 'sensors/dev-2/data', '{"temperature": 96}');
      expect(`${spoof.stdout}${spoof.stderr}`).toContain('Not authorized');
      expect((await pub(dev2, 'sensors/dev-2/data', '{"temperature": 20.5}')).code).toBe(0);
      expect((await pub(dev1, 'sensors/dev-1/data', '{"temperature": 95}')).code).toBe(0);

      await waitFor('shutdown on commands/dev-1 over MQTT', () => output.split('\n').some((l) => l.startsWith('commands/dev-1 ') && l.includes('"shutdown"')), { timeoutMs: 60_000 });
      const telemetry = await waitFor(
        'both readings in Kafka',
        async () => {
          const records = (await readTopic(kafka.address, started.topic('telemetry'))).map((r) => JSON.parse(r.payload ?? '') as Telemetry);
          return records.length >= 2 ? records : undefined;
        },
        { timeoutMs: 30_000 },
      );
      expect(telemetry.map((t) => [t.deviceId, t.values['temperature']?.value]).sort()).toEqual([
        ['dev-1', 95],
        ['dev-2', 20.5],
      ]);
    } finally {
      sub.kill('SIGKILL');
    }
    for (const service of services) expect(service.logs).not.toContain(PASSWORD);
  });

  it('fails closed on a wrong CA, an expired certificate, plaintext to the TLS port and a bad Kafka password: a clear error, retries with backoff, nothing lost', async () => {
    const infra = await sharedInfra();
    const clientId = freshName('fieldlink-neg');
    // A good first run creates the gateway's session, so the broker keeps what devices send while it is away.
    const first = await startMqttGateway(infra, { brokers: saslBrokers, mqttUrl: mqttUrl(), clientId, config: gatewayConfig(goodTls()), env: { KAFKA_SASL_PASSWORD: PASSWORD }, secrets: secrets() });
    await first.gateway.stop();
    const dev1 = pki.clients['dev-1'];
    const readings = [1, 2, 3].map((seq) => JSON.stringify({ seq, temperature: 21 }));
    const published = await run('mosquitto_pub', ['-p', String(mosquitto.port), ...tlsArgs(pki, dev1), '-q', '1', '-t', 'sensors/dev-1/data', '-l'], { input: `${readings.join('\n')}\n` });
    expect(published.code).toBe(0);

    const env = { FIELDLINK_CONFIG: '', KAFKA_BROKERS: saslBrokers, MQTT_CLIENT_ID: clientId, TOPIC_PREFIX: first.prefix, GATEWAY_INSTANCE_ID: first.root, LOG_LEVEL: 'info' };
    const cases = [
      { name: 'a CA that did not sign the broker', url: mqttUrl(), tls: { ...goodTls(), caFile: pki.rogueCa }, password: PASSWORD, waitFor: 'MQTT connection closed or refused', error: /certificate/i },
      { name: 'an expired client certificate', url: mqttUrl(), tls: { ...goodTls(), certFile: pki.expired.cert, keyFile: pki.expired.key }, password: PASSWORD, waitFor: 'MQTT connection closed or refused', error: /expired|reset|hang up|closed/i },
      // No certificate either: with one, mqtt.js would quietly upgrade mqtt:// to TLS.
      { name: 'plaintext to the TLS-only port', url: `mqtt://${mosquitto.address}`, tls: {}, password: PASSWORD, waitFor: 'MQTT connection closed or refused', error: /ECONNRESET.*mqtts:\/\//s },
      { name: 'a wrong Kafka password', url: mqttUrl(), tls: goodTls(), password: WRONG_PASSWORD, waitFor: 'could not ensure Kafka topics; retrying', error: /authentication failed/i },
    ];
    for (const c of cases) {
      const gateway = await ServiceProcess.start(
        'mqtt-gateway',
        { ...env, FIELDLINK_CONFIG: writeConfig(gatewayConfig(c.tls)()), MQTT_URL: c.url, KAFKA_SASL_PASSWORD: c.password },
        { waitReady: false, secrets: secrets() },
      );
      services.push(gateway);
      const failures = await waitFor(`three failed attempts with ${c.name}`, () => {
        const lines = logLines(gateway.logs, c.waitFor);
        return lines.length >= 3 ? lines : undefined;
      }, { timeoutMs: 60_000, intervalMs: 200 });
      const delays = failures.slice(0, 3).map((l) => l.retryInMs ?? 0);
      expect({ case: c.name, backoff: delays[0] < delays[1] && delays[1] < delays[2] }).toEqual({ case: c.name, backoff: true });
      expect(JSON.stringify({ err: failures[0]?.err, hint: failures[0]?.hint })).toMatch(c.error);
      expect((await gateway.get('/health/ready')).status).toBe(503);
      expect(gateway.logs).not.toContain(PASSWORD);
      expect(gateway.logs).not.toContain(WRONG_PASSWORD);
      await gateway.kill();
    }

    const fixed = await ServiceProcess.start('mqtt-gateway', { ...env, FIELDLINK_CONFIG: writeConfig(gatewayConfig(goodTls())()), MQTT_URL: mqttUrl(), KAFKA_SASL_PASSWORD: PASSWORD }, { secrets: secrets() });
    services.push(fixed);
    const arrived = await waitFor('the readings sent while the gateway was refused', async () => {
      const records = (await readTopic(kafka.address, first.topic('telemetry'))).map((r) => JSON.parse(r.payload ?? '') as Telemetry);
      return records.length >= 3 ? records : undefined;
    }, { timeoutMs: 60_000 });
    expect(arrived.map((t) => t.values['seq']?.value)).toEqual([1, 2, 3]);
  });
});
