import { freshName, type ServiceProcess, sharedInfra, startMqttGateway, waitFor } from '@fieldlink/testing';

describe('two mqtt-gateways with one MQTT client id', () => {
  const gateways: ServiceProcess[] = [];
  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((g) => g.kill()));
  });

  it('names the shared client id in an error and counts the takeovers instead of flapping silently', async () => {
    const infra = await sharedInfra();
    const clientId = freshName('shared-id');
    const first = await startMqttGateway(infra, { clientId });
    gateways.push(first.gateway);
    const second = await startMqttGateway(infra, { clientId, waitReady: false });
    gateways.push(second.gateway);

    const takeovers = async () => (await first.gateway.metric('fieldlink_mqtt_session_takeovers_total')) + (await second.gateway.metric('fieldlink_mqtt_session_takeovers_total'));
    await waitFor('a session takeover to be counted', async () => (await takeovers()) > 0, { timeoutMs: 30_000, intervalMs: 200 });
    const logs = first.gateway.logs + second.gateway.logs;
    // Mosquitto 2.0.11 closes the old connection without the MQTT 5 DISCONNECT 0x8E, so here the
    // repeated drops right after CONNACK are the evidence (the 0x8E path has a unit test).
    expect(logs).toContain('another MQTT client is connected with our client id');
    expect(logs).toContain(`"clientId":"${clientId}"`);
  });
});
