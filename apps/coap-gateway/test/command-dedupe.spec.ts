import { command, produce, resultsFor, settledResults, sharedInfra, waitFor } from '@fieldlink/testing';
import { type CoapGatewayUnderTest, coapClientObserve, startCoapGateway } from './support';

describe('coap-gateway command copies', () => {
  let g: CoapGatewayUnderTest | undefined;
  afterEach(async () => {
    await g?.gateway.stop();
  });

  it('does not notify a copy of a delivered command produced after the gateway restarted (libcoap observing)', async () => {
    g = await startCoapGateway(await sharedInfra());
    const gateway = g;
    const observers = () => gateway.gateway.metric('fieldlink_coap_observers');

    const first = coapClientObserve(gateway.coapPort, 'commands/dedupe-1', 8);
    await waitFor('the observation', async () => (await observers()) === 1, { timeoutMs: 10_000 });
    const sent = command('dedupe-1', 'open');
    await produce(gateway.brokers, gateway.topic('commands'), sent.deviceId, JSON.stringify(sent));
    await waitFor('its result', async () => (await resultsFor(gateway, sent.id)).length === 1, { timeoutMs: 30_000 });
    expect(await first.output).toContain(sent.id);

    await gateway.gateway.stop();
    await gateway.gateway.spawn();
    // A new observation (as a device that came back would make) replaces the restored one.
    const second = coapClientObserve(gateway.coapPort, 'commands/dedupe-1', 10);
    await waitFor('the observation again', async () => (await observers()) === 1, { timeoutMs: 10_000 });
    await produce(gateway.brokers, gateway.topic('commands'), sent.deviceId, JSON.stringify(sent));
    const next = command('dedupe-1', 'close');
    await produce(gateway.brokers, gateway.topic('commands'), next.deviceId, JSON.stringify(next));

    expect((await settledResults(gateway, next)).map((r) => r.status)).toEqual(['delivered']);
    expect((await resultsFor(gateway, sent.id)).map((r) => r.status)).toEqual(['delivered']);
    const printed = await second.output;
    expect(printed).toContain(next.id);
    expect(printed).not.toContain(sent.id);
    expect(await gateway.gateway.metric('fieldlink_commands_total', { status: 'duplicate' })).toBe(1);
  });
});
