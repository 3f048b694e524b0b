import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Telemetry } from '@fieldlink/schemas';
import { type ServiceProcess, readTopic, sharedInfra, waitFor } from '@fieldlink/testing';
import { type CoapGatewayUnderTest, coapClientGet, coapClientPost, startCoapGateway } from './support';

describe('coap-gateway per-device tokens', () => {
  let started: CoapGatewayUnderTest | undefined;
  let gateway: ServiceProcess | undefined;
  beforeAll(async () => {
    const tokenFile = join(mkdtempSync(join(tmpdir(), 'fieldlink-coap-')), 'tokens');
    writeFileSync(tokenFile, '# deviceId token\npump-1 s3cret-pump\nvalve-2 other-token   # a comment\n');
    // Both tokens, and the guesses sent below, must never be printed: the harness checks every line the gateway prints.
    started = await startCoapGateway(await sharedInfra(), { coap: { auth: { tokenFile } } }, undefined, { secrets: ['s3cret-pump', 'other-token', 'guess-Tq4'] });
    gateway = started.gateway;
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it('answers 4.01 to a missing or wrong token and an unknown device, counts each, and lets nothing reach Kafka', async () => {
    const g = started as CoapGatewayUnderTest;
    const body = Buffer.from('{"temperature":20}');
    const answers = [
      await coapClientPost(g.coapPort, 'sensors/pump-1?token=s3cret-pump', body, 50),
      await coapClientPost(g.coapPort, 'sensors/pump-1', body, 50),
      await coapClientPost(g.coapPort, 'sensors/pump-1?token=other-token', body, 50),
      await coapClientPost(g.coapPort, 'sensors/stranger?token=s3cret-pump', body, 50),
      // The seed body form: the device named in the body is the one checked.
      await coapClientPost(g.coapPort, 'sensors?token=other-token', Buffer.from('{"device_id":"valve-2","open":1}'), 50),
      await coapClientPost(g.coapPort, 'sensors?token=other-token', Buffer.from('{"device_id":"pump-1","open":1}'), 50),
      // Malformed input from an unauthenticated client is refused, not dead-lettered.
      await coapClientPost(g.coapPort, 'elsewhere/x?token=s3cret-pump', Buffer.from('{"bad'), 50),
    ];
    expect(answers.map((a) => a.code)).toEqual(['2.04', '4.01', '4.01', '4.01', '2.04', '4.01', '4.01']);
    expect(answers[1]?.output).toContain('add the device token as ?token=<token> or in CoAP option 65001');
    expect((await coapClientGet(g.coapPort, 'sensors/pump-1')).code).toBe('4.01');
    expect((await coapClientGet(g.coapPort, 'sensors/pump-1?token=s3cret-pump')).code).toBe('2.05');

    const failures = async (reason: string): Promise<number> => g.gateway.metric('fieldlink_coap_auth_failures_total', { reason });
    // coapClientGet asks twice (quiet, then verbose): the tokenless GET counts two.
    expect([await failures('missing_token'), await failures('wrong_token'), await failures('unknown_device')]).toEqual([3, 2, 2]);
    const telemetry = (await readTopic(g.brokers, g.topic('telemetry'))).map((r) => (JSON.parse(r.payload ?? '') as Telemetry).deviceId);
    expect(telemetry.sort()).toEqual(['pump-1', 'valve-2']);
    expect(await readTopic(g.brokers, g.topic('dead-letter'))).toEqual([]);
  });

  it('takes the token in CoAP option 65001 too, so it need not sit in the URI, and the option wins over the query', async () => {
    const g = started as CoapGatewayUnderTest;
    const failures = async (): Promise<number> => g.gateway.metric('fieldlink_coap_auth_failures_total', { reason: 'wrong_token' });
    const before = await failures();
    const body = Buffer.from('{"temperature":21}');
    const withOption = (token: string) => ['-O', `65001,${token}`];
    const answers = [
      await coapClientPost(g.coapPort, 'sensors/pump-1', body, 50, undefined, undefined, withOption('s3cret-pump')),
      await coapClientPost(g.coapPort, 'sensors/pump-1', body, 50, undefined, undefined, withOption('guess-Tq4')),
      await coapClientPost(g.coapPort, 'sensors/pump-1?token=s3cret-pump', body, 50, undefined, undefined, withOption('guess-Tq4')),
      await coapClientPost(g.coapPort, 'sensors?token=guess-Tq4', Buffer.from('{"device_id":"valve-2","open":0}'), 50, undefined, undefined, withOption('other-token')),
    ];
    expect(answers.map((a) => a.code)).toEqual(['2.04', '4.01', '4.01', '2.04']);
    expect((await coapClientGet(g.coapPort, 'sensors/pump-1', withOption('s3cret-pump'))).code).toBe('2.05');
    expect(await failures()).toBe(before + 2);
    await waitFor('both readings sent with the option in Kafka', async () => {
      const ids = (await readTopic(g.brokers, g.topic('telemetry'))).map((r) => (JSON.parse(r.payload ?? '') as Telemetry).deviceId);
      return ids.filter((id) => id === 'pump-1').length >= 2 && ids.filter((id) => id === 'valve-2').length >= 2;
    }, { timeoutMs: 30_000 });
  });

  it('refuses a Block1 upload at its first block, before buffering it, when the token is no device\'s or not the path\'s device\'s', async () => {
    const g = started as CoapGatewayUnderTest;
    // Three blocks of 1024: a 2.31 in the output would mean the first block was held.
    const big = Buffer.from(JSON.stringify({ device_id: 'pump-1', pad: 'x'.repeat(2500) }));
    const byBody = await coapClientPost(g.coapPort, 'sensors?token=no-such-token', big, 50);
    const byPath = await coapClientPost(g.coapPort, 'sensors/pump-1?token=other-token', big, 50);
    expect([byBody.code, byPath.code]).toEqual(['4.01', '4.01']);
    expect([byBody.output, byPath.output].filter((o) => o.includes('c:2.31'))).toEqual([]);
    expect(await g.gateway.metric('fieldlink_coap_block_transfers')).toBe(0);
  });
});
