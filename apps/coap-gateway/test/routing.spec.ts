import { spawn } from 'node:child_process';
import { ServiceProcess, command, exited, freePort, freshName, produce, run, settledResults, sharedInfra, track, waitFor, writeConfig } from '@fieldlink/testing';
import { type CoapGatewayUnderTest, coapClientGet, coapClientObserve, coapClientPost } from './support';

describe('command routing between the MQTT and CoAP gateways', () => {
  const services: ServiceProcess[] = [];
  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
  });

  /** An MQTT and a CoAP gateway on one Kafka prefix of their own. */
  async function startPair(label: string) {
    const infra = await sharedInfra();
    const root = freshName(label);
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
    return { infra, root, coap, mqtt, coapPort, g };
  }

  /** Every command either gateway publishes over MQTT, for any device of the pair. */
  function watchMqttCommands(mqttPort: number, root: string) {
    const sub = track(spawn('mosquitto_sub', ['-p', String(mqttPort), '-t', `${root}/commands/+`, '-v'], { stdio: ['ignore', 'pipe', 'pipe'] }));
    const seen = { text: '' };
    sub.stdout?.on('data', (chunk: Buffer) => (seen.text += chunk.toString()));
    const close = async () => {
      sub.kill();
      await exited(sub);
    };
    return { seen, close };
  }

  it('delivers a command without protocol over Observe to a CoAP device and over MQTT to an MQTT device, one result each', async () => {
    const { infra, root, coap, mqtt, coapPort, g } = await startPair('mixed');
    const watch = watchMqttCommands(infra.mqttPort, root);
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
      await waitFor('the MQTT command', () => watch.seen.text.includes(toMqtt.id), { timeoutMs: 10_000 });
      expect(watch.seen.text.split('\n').filter((line) => line.includes(toMqtt.id))).toHaveLength(1);
      expect(watch.seen.text).not.toContain(toCoap.id);
    } finally {
      await watch.close();
    }
  });

  it('keeps an MQTT device\'s commands when a CoAP client names its id in a POST body and in an Observe, counting each refusal', async () => {
    const { infra, root, coap, mqtt, coapPort, g } = await startPair('claim');
    const watch = watchMqttCommands(infra.mqttPort, root);
    try {
      const pub = await run('mosquitto_pub', ['-p', String(infra.mqttPort), '-q', '1', '-t', `${root}/Pump1/data`, '-m', '{"t":1}']);
      expect(pub.code).toBe(0);
      await waitFor('the CoAP gateway to know the MQTT device', async () => (await coap.metric('fieldlink_device_registry_devices')) === 1, { timeoutMs: 30_000 });

      const posted = await coapClientPost(coapPort, 'sensors', Buffer.from(JSON.stringify({ device_id: 'Pump1', t: 2 })), 50);
      expect(posted.code).toBe('2.04'); // the reading itself is taken; only the claim is refused
      const observed = await coapClientGet(coapPort, 'commands/Pump1', ['-s', '3']);
      // 4.03 Forbidden; node-coap ends an answer to an Observe request without the diagnostic payload.
      expect(observed.code).toBe('4.03');
      // The POST, and the Observe twice (coapClientGet asks once quietly for the payload, once verbosely for the code).
      await waitFor('every refusal counted', async () => (await coap.metric('fieldlink_device_claims_refused_total', { owner: 'mqtt' })) >= 3, { timeoutMs: 5000 });
      expect(await coap.metric('fieldlink_device_claims_refused_total', { owner: 'mqtt' })).toBe(3);
      expect(await coap.metric('fieldlink_coap_observers')).toBe(0);

      const stop = command('Pump1', 'stop');
      await produce(infra.kafkaBrokers, g.topic('commands'), stop.deviceId, JSON.stringify(stop));
      expect((await settledResults(g, stop)).map((r) => [r.status, r.gateway])).toEqual([['delivered', `${root}-mqtt`]]);
      await waitFor('the MQTT command', () => watch.seen.text.includes(stop.id), { timeoutMs: 10_000 });
      expect(await mqtt.metric('fieldlink_device_claims_refused_total')).toBe(0);
    } finally {
      await watch.close();
    }
  });
});
