import { command, produce, settledResults, sharedInfra, waitFor } from '@fieldlink/testing';
import { type CoapGatewayUnderTest, coapClientObserve, startCoapGateway } from './support';

describe('coap-gateway observations across a restart', () => {
  let g: CoapGatewayUnderTest | undefined;
  afterEach(async () => {
    await g?.gateway.stop();
  });

  it('notifies a device that observed before the gateway restarted, without it observing again (libcoap observing)', async () => {
    g = await startCoapGateway(await sharedInfra());
    const gateway = g;
    const observers = () => gateway.gateway.metric('fieldlink_coap_observers');
    // One observation for the whole test: libcoap keeps waiting on its token while the server restarts.
    const observer = coapClientObserve(gateway.coapPort, 'commands/persist-1', 30);
    await waitFor('the observation', async () => (await observers()) === 1, { timeoutMs: 10_000 });

    await gateway.gateway.stop();
    await gateway.gateway.spawn();
    expect(await observers()).toBe(1);
    const began = Date.now();
    const sent = command('persist-1', 'open');
    await produce(gateway.brokers, gateway.topic('commands'), sent.deviceId, JSON.stringify(sent));
    const results = await settledResults(gateway, sent);
    expect(results.map((r) => r.status)).toEqual(['delivered']);
    process.stdout.write(`coap observe restart: delivered ${Date.now() - began} ms after the restarted gateway was ready\n`);
    expect(await observer.output).toContain(sent.id);
  });
});
