import { type DeadLetter, type Telemetry } from '@fieldlink/schemas';
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServiceProcess, freshName, interopPython, readTopic, run, sharedInfra, waitFor, waitForRecords } from '@fieldlink/testing';
import { Encoder } from 'cbor-x';
import fc from 'fast-check';
import { type ParsedPacket, generate, parse } from 'coap-packet';
import { type CoapGatewayUnderTest, coapClientGet, coapClientPost, startCoapGateway } from './support';

const LIMIT = 4096;
const cbor = new Encoder({ useRecords: false, mapsAsObjects: false });

/** fieldlink_coap_responses_total by response code, from /metrics. */
async function responseCounts(g: CoapGatewayUnderTest): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${g.gateway.httpPort}/metrics`)).text();
  return new Map([...text.matchAll(/^fieldlink_coap_responses_total\{[^}]*code="([\d.]+)"[^}]*\} (\d+)$/gm)].map((m) => [m[1] ?? '', Number(m[2])]));
}

describe('coap-gateway with libcoap coap-client-notls and kcat', () => {
  let started: CoapGatewayUnderTest | undefined;
  let gateway: ServiceProcess | undefined;
  beforeAll(async () => {
    started = await startCoapGateway(await sharedInfra(), { ingest: { maxPayloadBytes: LIMIT } });
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

  it('takes the seed form POST /sensors {"device_id": ...}, answers GET with the last accepted reading, and lists its resources', async () => {
    const g = started as CoapGatewayUnderTest;
    const body = await coapClientPost(g.coapPort, 'sensors', Buffer.from('{"device_id":"seed-1","temperature":27}'), 50);
    expect(body.code).toBe('2.04');
    // 2.04 means Kafka already has it.
    const seed = (await readTopic(g.brokers, g.topic('telemetry'))).filter((r) => r.key === 'seed-1');
    expect(seed.map((r) => (JSON.parse(r.payload ?? '') as Telemetry).values)).toEqual([{ temperature: { value: 27 } }]);

    const last = await coapClientGet(g.coapPort, 'sensors/seed-1');
    expect([last.code, last.payload]).toEqual(['2.05', '{"device_id":"seed-1","temperature":27}']);
    expect((await coapClientGet(g.coapPort, 'sensors/never-seen')).code).toBe('4.04');

    const core = await coapClientGet(g.coapPort, '.well-known/core');
    expect(core.code).toBe('2.05');
    // RFC 6690: link-value *("," link-value), each <URI> followed by ;param=value pairs.
    // RFC 6690 §2: link-param is a name, optionally = a token or a quoted string (obs has no value).
    const links = core.payload.split(',').map((link) => /^<([^>]+)>((?:;[a-z]+(?:=(?:"[^"]*"|[0-9]+))?)*)$/.exec(link));
    expect(links.every(Boolean)).toBe(true);
    expect(links.map((m) => m?.[1])).toEqual(['/sensors', '/commands']);
    expect(links[0]?.[2]).toContain('ct="0 50 60 110 112"');
    expect(links[1]?.[2]?.split(';')).toEqual(expect.arrayContaining(['obs', 'ct=50', 'rt="fieldlink.commands"']));
  });

  it('takes SenML+CBOR, plain CBOR and the seed body form from Python aiocoap', async () => {
    const g = started as CoapGatewayUnderTest;
    const requests = [
      { path: 'sensors/aio-senml', format: 'senml-cbor', body: [{ bn: 'urn:dev:', n: 'temperature', u: 'Cel', v: 21.5 }] },
      { path: 'sensors/aio-cbor', format: 'cbor', body: { temperature: 22.5, motor: { rpm: 900 } } },
      { path: 'sensors', format: 'json', body: { device_id: 'aio-seed', humidity: 40 } },
    ];
    const file = join(tmpdir(), `${freshName('aiocoap')}.json`);
    writeFileSync(file, JSON.stringify(requests));
    const result = await run(interopPython(), [join(__dirname, 'peers', 'aiocoap_post.py'), String(g.coapPort), file], { timeoutMs: 60_000 });
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(result.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { code: string }).code)).toEqual(['2.04', '2.04', '2.04']);
    const byDevice = new Map((await readTopic(g.brokers, g.topic('telemetry'))).map((r) => [r.key, (JSON.parse(r.payload ?? '') as Telemetry).values]));
    expect(byDevice.get('aio-senml')).toEqual({ 'urn:dev:temperature': { value: 21.5, unit: 'Cel' } });
    expect(byDevice.get('aio-cbor')).toEqual({ temperature: { value: 22.5 }, 'motor.rpm': { value: 900 } });
    expect(byDevice.get('aio-seed')).toEqual({ humidity: { value: 40 } });
  });

  it('takes a body over one block as a Block1 upload (RFC 7959) from coap-client-notls, into one record', async () => {
    const g = started as CoapGatewayUnderTest;
    const label = 'y'.repeat(3000);
    const upload = await coapClientPost(g.coapPort, 'sensors/block-1', Buffer.from(JSON.stringify({ temperature: 30.5, label })), 50);
    expect(upload.code).toBe('2.04');
    // Three blocks of 1024: two 2.31 Continue, then 2.04 echoing the last Block1.
    expect(upload.output.match(/c:2\.31/g)).toHaveLength(2);
    expect(upload.output).toMatch(/c:2\.04 .*Block1:2\/_\/1024/);
    const records = (await readTopic(g.brokers, g.topic('telemetry'))).filter((r) => r.key === 'block-1');
    expect(records.map((r) => (JSON.parse(r.payload ?? '') as Telemetry).values)).toEqual([{ temperature: { value: 30.5 }, label: { value: label } }]);
  });

  it('answers bad input in CoAP terms, dead-letters the raw bytes with the reason, counts each code, and stays up', async () => {
    const g = started as CoapGatewayUnderTest;
    const before = await responseCounts(g);
    const malformed = await coapClientPost(g.coapPort, 'sensors/bad-1', Buffer.from('{"temperature":'), 50);
    const xml = await coapClientPost(g.coapPort, 'sensors/bad-2', Buffer.from('<t>1</t>'), 41);
    // Sent block-wise by coap-client, which declares the whole size (Size1) in the first block.
    const oversized = await coapClientPost(g.coapPort, 'sensors/bad-3', Buffer.from(`{"t":"${'x'.repeat(LIMIT)}"}`), 50);
    const unrouted = await coapClientPost(g.coapPort, 'elsewhere/bad-4', Buffer.from('{"t":1}'), 50);
    const put = await coapClientPost(g.coapPort, 'sensors/bad-5', Buffer.from('{"t":1}'), 50, '127.0.0.1', 'put');
    expect([malformed.code, xml.code, oversized.code, unrouted.code, put.code]).toEqual(['4.00', '4.15', '4.13', '4.04', '4.05']);
    expect(malformed.output).toContain('FL_DECODE_INVALID_JSON');

    const letters = (await waitForRecords(g.brokers, g.topic('dead-letter'), 5)).map((r) => JSON.parse(r.payload ?? '') as DeadLetter);
    expect(letters.map((l) => l.reason.code).sort()).toEqual(['FL_DECODE_INVALID_JSON', 'FL_DECODE_TOO_LARGE', 'FL_DECODE_UNSUPPORTED_FORMAT', 'FL_MAP_NO_ROUTE', 'FL_METHOD_NOT_ALLOWED']);
    expect(Buffer.from(letters.find((l) => l.reason.code === 'FL_DECODE_UNSUPPORTED_FORMAT')?.payload.data ?? '', 'base64').toString()).toBe('<t>1</t>');
    // Refused at the first block: the dead letter holds the bytes that came, and the reason the size.
    const tooLarge = letters.find((l) => l.reason.code === 'FL_DECODE_TOO_LARGE');
    expect([tooLarge?.payload.size, tooLarge?.reason.message]).toEqual([1024, `the body is ${LIMIT + 8} bytes (Size1), over the limit of ${LIMIT}`]);
    expect(oversized.output).toMatch(new RegExp(`Size1:${LIMIT}\\b`));

    const after = await responseCounts(g);
    expect(['4.00', '4.15', '4.13', '4.04', '4.05'].map((code) => (after.get(code) ?? 0) - (before.get(code) ?? 0))).toEqual([1, 1, 1, 1, 1]);
    const metrics = await (await fetch(`http://127.0.0.1:${g.gateway.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/fieldlink_ingest_dead_lettered_total\{[^}]*code="FL_DECODE_UNSUPPORTED_FORMAT"[^}]*\} 1/);
    const valid = await coapClientPost(g.coapPort, 'sensors/after-1', Buffer.from('{"t":1}'), 50);
    expect(valid.code).toBe('2.04');
    expect((await readTopic(g.brokers, g.topic('telemetry'))).some((r) => r.key === 'after-1')).toBe(true);
  });

  it('answers a retransmitted CON again without a second record, takes NON, and gives a reading re-sent as a new message the same id', async () => {
    const g = started as CoapGatewayUnderTest;
    const device = createSocket('udp4');
    const answers: ParsedPacket[] = [];
    device.on('message', (datagram, from) => {
      const packet = parse(datagram);
      // A separate response (the answer took longer than node-coap's piggyback wait) is CON: ACK it.
      if (packet.confirmable) device.send(generate({ ack: true, code: '0.00', messageId: packet.messageId }), from.port, from.address);
      if (packet.code === '2.04') answers.push(packet);
    });
    await new Promise<void>((resolve) => device.bind(0, '127.0.0.1', resolve));
    const token = Buffer.from('d0d0', 'hex');
    const request = generate({
      confirmable: true,
      code: 'POST',
      messageId: 0x2b2b,
      token,
      options: [{ name: 'Uri-Path', value: Buffer.from('sensors') }, { name: 'Uri-Path', value: Buffer.from('dup-1') }, { name: 'Content-Format', value: Buffer.from([50]) }],
      payload: Buffer.from('{"t":1}'),
    });
    try {
      // Twice at once (the copy joins the first while it is stored), then again once answered (node-coap's cached answer).
      device.send(request, g.coapPort, '127.0.0.1');
      device.send(request, g.coapPort, '127.0.0.1');
      await waitFor('an answer', () => answers.length >= 1, { timeoutMs: 10_000 });
      device.send(request, g.coapPort, '127.0.0.1');
      await waitFor('three answers', () => answers.length >= 3, { timeoutMs: 10_000 });
      expect(answers.every((a) => a.token.equals(token))).toBe(true);
    } finally {
      device.close();
    }
    const non = await run('coap-client-notls', ['-N', '-m', 'post', '-t', '50', '-e', '{"t":2}', '-v', '7', '-B', '10', `coap://127.0.0.1:${g.coapPort}/sensors/non-1`], { timeoutMs: 30_000 });
    expect(`${non.stdout}${non.stderr}`).toMatch(/t:NON c:2\.04/);
    const timed = Buffer.from('{"temperature":20,"ts":1700000000000}');
    const untimed = Buffer.from('{"temperature":20}');
    for (const body of [timed, timed, untimed, untimed]) expect((await coapClientPost(g.coapPort, `sensors/${body === timed ? 'resend-1' : 'resend-2'}`, body, 50)).code).toBe('2.04');

    const records = await readTopic(g.brokers, g.topic('telemetry'));
    const idsOf = (deviceId: string): string[] => records.filter((r) => r.key === deviceId).map((r) => (JSON.parse(r.payload ?? '') as Telemetry).id);
    expect(idsOf('dup-1')).toHaveLength(1);
    expect(idsOf('non-1')).toHaveLength(1);
    // With its own time (ts) a re-sent reading is the same reading; without one, two equal bodies are two readings.
    expect(new Set(idsOf('resend-1')).size).toBe(1);
    expect(idsOf('resend-1')).toHaveLength(2);
    expect(new Set(idsOf('resend-2')).size).toBe(2);
  });

  // Last: its random datagrams may parse as requests and add dead letters of their own.
  it('stays up through random datagrams and answers a valid request afterwards', async () => {
    const g = started as CoapGatewayUnderTest;
    const socket = createSocket('udp4');
    // Half of them start like a CoAP header (version 1), so the parser gets past the first byte.
    const datagram = fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.uint8Array({ minLength: 3, maxLength: 300 }).map((b) => Uint8Array.from([0x40 | ((b[0] ?? 0) & 0x3f), ...b.slice(1)])));
    for (const bytes of fc.sample(datagram, { numRuns: 2000, seed: 42 })) {
      await new Promise<void>((resolve, reject) => socket.send(bytes, g.coapPort, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
    }
    socket.close();
    expect(g.gateway.running).toBe(true);
    const after = await coapClientPost(g.coapPort, 'sensors/after-fuzz', Buffer.from('{"t":1}'), 50);
    expect(after.code).toBe('2.04');
    // Nothing reached the process-level safety net either. (An unacknowledged separate answer
    // fails only after 247 s: silent-device.spec.ts waits for that.)
    expect(await g.gateway.metric('fieldlink_process_faults_total')).toBe(0);
  });
});
