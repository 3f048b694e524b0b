import { type DeadLetter, type Telemetry } from '@fieldlink/schemas';
import { type ServiceProcess, readTopic, sharedInfra, waitForRecords } from '@fieldlink/testing';
import { Encoder } from 'cbor-x';
import { type CoapGatewayUnderTest, coapClientPost, startCoapGateway } from './support';

const cbor = new Encoder({ useRecords: false, mapsAsObjects: false });

describe('coap-gateway with libcoap coap-client-notls and kcat', () => {
  let started: CoapGatewayUnderTest | undefined;
  let gateway: ServiceProcess | undefined;
  beforeAll(async () => {
    // The limit stays under one 1024-byte block: Block1 uploads are not supported yet (see README).
    started = await startCoapGateway(await sharedInfra(), { ingest: { maxPayloadBytes: 512 } });
    gateway = started.gateway;
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it('answers 2.04 to JSON, SenML, CBOR and text readings once Kafka has them, keyed by deviceId, over IPv4 and IPv6', async () => {
    const g = started as CoapGatewayUnderTest;
    const answers = [
      await coapClientPost(g.coapPort, 'sensors/json-1', Buffer.from('{"temperature":21.5,"ts":1700000000000}'), 50),
      await coapClientPost(g.coapPort, 'sensors/none-1', Buffer.from('{"temperature":22}')),
      await coapClientPost(g.coapPort, 'sensors/senml-1', Buffer.from('[{"n":"temperature","v":23,"u":"Cel"}]'), 110),
      await coapClientPost(g.coapPort, 'sensors/cbor-1', Buffer.from(cbor.encode(new Map([['temperature', 24]]))), 60),
      await coapClientPost(g.coapPort, 'sensors/text-1', Buffer.from('25.5'), 0),
      await coapClientPost(g.coapPort, 'sensors/v6-1', Buffer.from('{"temperature":26}'), 50, '::1'),
    ];
    expect(answers.map((a) => a.code)).toEqual(['2.04', '2.04', '2.04', '2.04', '2.04', '2.04']);
    const records = await waitForRecords(g.brokers, g.topic('telemetry'), 6);
    const byDevice = new Map(records.map((r) => [r.key, JSON.parse(r.payload ?? '') as Telemetry]));
    expect(byDevice.get('json-1')).toMatchObject({ eventTime: '2023-11-14T22:13:20.000Z', values: { temperature: { value: 21.5 } }, source: { protocol: 'coap', ref: '/sensors/json-1', mapping: 'sensors' } });
    expect(byDevice.get('none-1')?.values).toEqual({ temperature: { value: 22 } });
    expect(byDevice.get('senml-1')?.values).toEqual({ temperature: { value: 23, unit: 'Cel' } });
    expect(byDevice.get('cbor-1')?.values).toEqual({ temperature: { value: 24 } });
    expect(byDevice.get('text-1')?.values).toEqual({ value: { value: 25.5 } });
    expect(byDevice.get('v6-1')?.values).toEqual({ temperature: { value: 26 } });
  });

  it('answers bad input in CoAP terms, dead-letters the raw bytes with the reason, counts each code, and stays up', async () => {
    const g = started as CoapGatewayUnderTest;
    const malformed = await coapClientPost(g.coapPort, 'sensors/bad-1', Buffer.from('{"temperature":'), 50);
    const xml = await coapClientPost(g.coapPort, 'sensors/bad-2', Buffer.from('<t>1</t>'), 41);
    const oversized = await coapClientPost(g.coapPort, 'sensors/bad-3', Buffer.from(`{"t":"${'x'.repeat(800)}"}`), 50);
    const unrouted = await coapClientPost(g.coapPort, 'elsewhere/bad-4', Buffer.from('{"t":1}'), 50);
    expect([malformed.code, xml.code, oversized.code, unrouted.code]).toEqual(['4.00', '4.15', '4.13', '4.04']);
    expect(malformed.output).toContain('FL_DECODE_INVALID_JSON');

    const letters = (await waitForRecords(g.brokers, g.topic('dead-letter'), 4)).map((r) => JSON.parse(r.payload ?? '') as DeadLetter);
    expect(letters.map((l) => l.reason.code).sort()).toEqual(['FL_DECODE_INVALID_JSON', 'FL_DECODE_TOO_LARGE', 'FL_DECODE_UNSUPPORTED_FORMAT', 'FL_MAP_NO_ROUTE']);
    expect(Buffer.from(letters.find((l) => l.reason.code === 'FL_DECODE_UNSUPPORTED_FORMAT')?.payload.data ?? '', 'base64').toString()).toBe('<t>1</t>');
    expect(letters.find((l) => l.reason.code === 'FL_DECODE_TOO_LARGE')?.payload.size).toBe(808);

    const metrics = await (await fetch(`http://127.0.0.1:${g.gateway.httpPort}/metrics`)).text();
    for (const code of ['4.00', '4.15', '4.13', '4.04']) expect(metrics).toMatch(new RegExp(`fieldlink_coap_responses_total\\{[^}]*code="${code.replace('.', '\\.')}"[^}]*\\} 1`));
    expect(metrics).toMatch(/fieldlink_ingest_dead_lettered_total\{[^}]*code="FL_DECODE_UNSUPPORTED_FORMAT"[^}]*\} 1/);
    const after = await coapClientPost(g.coapPort, 'sensors/after-1', Buffer.from('{"t":1}'), 50);
    expect(after.code).toBe('2.04');
    expect((await readTopic(g.brokers, g.topic('telemetry'))).some((r) => r.key === 'after-1')).toBe(true);
  });
});
