import { spawn } from 'node:child_process';
import { ServiceProcess, command, exited, freePort, freshName, produce, run, settledResults, sharedInfra, track, waitFor, writeConfig } from '@fieldlink/testing';
import { type CoapGatewayUnderTest, coapClientObserve } from './support';

describe('command routing between the MQTT and CoAP gateways', () => {
  const services: ServiceProcess[] = [];
  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
  });

  it('delivers a command without protocol over Observe to a CoAP device and over MQTT to an MQTT device, one result each', async () => {
    const infra = await sharedInfra();
    const root = freshName('mixed');
    const shared = { TOPIC_PREFIX: `${root}.`, KAFKA_BROKERS: infra.kafkaBrokers, LOG_LEVEL: 'info' };
    const coapPort = await freePort();
    const coap = await ServiceProcess.start('coap-gateway', { ...shared, FIELDLINK_CONFIG: writeConfig({ topics: { partitions: 3 } }), COAP_PORT: String(coapPort), GATEWAY_INSTANCE_ID: `${root}-coap` });
    services.push(coap);
    const mqtt = await ServiceProcess.start('mqtt-gateway', {
      ...shared,
      FIELDLINK_CONFIG: writeConfig({ topics: { partitions: 3 }, mappings: [{ name: 'site', topic: `${root}/{deviceId}/data` }], commands: { topic: `${root}/commands/{deviceId}` } }),
      MQTT_URL: infra.mqttUrl,
      MQTT_CLIENT_ID: `${root}-gw`,
      GATEWAY_INSTANCE_ID: `${root}-mqtt`,
    });
    services.push(mqtt);
    const g: CoapGatewayUnderTest = { gateway: coap, coapPort, root, topic: (name) => `${root}.${name}`, brokers: infra.kafkaBrokers };

    // Every command either gateway publishes over MQTT, for any device.
    const sub = track(spawn('mosquitto_sub', ['-p', String(infra.mqttPort), '-t', `${root}/commands/+`, '-v'], { stdio: ['ignore', 'pipe', 'pipe'] }));
    let published = '';
    sub.stdout?.on('data', (chunk: Buffer) => (published += chunk.toString()));
    try {
      const observer = coapClientObserve(coapPort, 'commands/co-1', 15);
      await waitFor('the CoAP observation', async () => (await coap.metric('fieldlink_coap_observers')) === 1, { timeoutMs: 10_000 });
      const pub = await run('mosquitto_pub', ['-p', String(infra.mqttPort), '-q', '1', '-t', `${root}/mq-1/data`, '-m', '{"t":1}']);
      expect(pub.code).toBe(0);
      await waitFor('the MQTT device registered', async () => (await mqtt.metric('fieldlink_ingest_forwarded_total')) >= 1, { timeoutMs: 30_000 });

      const toCoap = command('co-1', 'open-valve');
      const toMqtt = command('mq-1', 'close-valve');
      await produce(infra.kafkaBrokers, g.topic('commands'), toCoap.deviceId, JSON.stringify(toCoap));
      await produce(infra.kafkaBrokers, g.topic('commands'), toMqtt.deviceId, JSON.stringify(toMqtt));
      const coapResults = await settledResults(g, toCoap);
      const mqttResults = await settledResults(g, toMqtt);
      expect(coapResults.map((r) => [r.status, r.gateway])).toEqual([['delivered', `${root}-coap`]]);
      expect(mqttResults.map((r) => [r.status, r.gateway])).toEqual([['delivered', `${root}-mqtt`]]);

      const printed = await observer.output;
      expect([printed.includes(toCoap.id), printed.includes(toMqtt.id)]).toEqual([true, false]);
      await waitFor('the MQTT command', () => published.includes(toMqtt.id), { timeoutMs: 10_000 });
      expect(published.split('\n').filter((line) => line.includes(toMqtt.id))).toHaveLength(1);
      expect(published).not.toContain(toCoap.id);
    } finally {
      sub.kill();
      await exited(sub);
    }
  });
});
