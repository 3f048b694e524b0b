import { randomBytes } from 'node:crypto';
import { type DeadLetter, type Telemetry } from '@fieldlink/schemas';
import { mosquittoPub, type ServiceProcess, sharedInfra, startMqttGateway, waitForRecords } from '@fieldlink/testing';

const BAD_INPUTS: { name: string; payload: Buffer; code: string }[] = [
  { name: 'invalid JSON', payload: Buffer.from('{"temperature": 21.5,,}'), code: 'FL_DECODE_INVALID_JSON' },
  { name: 'truncated JSON', payload: Buffer.from('{"temperature": 21.5, "hum'), code: 'FL_DECODE_INVALID_JSON' },
  { name: 'random bytes', payload: Buffer.concat([Buffer.from([0xff]), randomBytes(512)]), code: 'FL_DECODE_INVALID_UTF8' },
  { name: 'invalid UTF-8', payload: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0xc3, 0x28, 0x7d]), code: 'FL_DECODE_INVALID_UTF8' },
  { name: '1 MiB blob', payload: randomBytes(1024 * 1024), code: 'FL_DECODE_TOO_LARGE' },
];

describe('mqtt-gateway bad input', () => {
  let gateway: ServiceProcess | undefined;
  afterEach(async () => {
    await gateway?.stop();
  });

  it('dead-letters each bad payload with its raw bytes and reason, stays up and counts them', async () => {
    const infra = await sharedInfra();
    const started = await startMqttGateway(infra);
    gateway = started.gateway;
    const device = `${started.root}-dev`;
    const topic = `${started.root}/sensors/${device}/data`;

    for (const input of BAD_INPUTS) await mosquittoPub(infra.mqttPort, topic, input.payload);
    await mosquittoPub(infra.mqttPort, topic, Buffer.from('{"temperature": 22}'));

    const letters = (await waitForRecords(started.brokers, started.topic('dead-letter'), BAD_INPUTS.length)).map(
      (r) => JSON.parse(r.payload ?? '') as DeadLetter,
    );
    expect(letters).toHaveLength(BAD_INPUTS.length);
    BAD_INPUTS.forEach((input, i) => {
      const letter = letters[i];
      expect({ input: input.name, code: letter.reason.code }).toEqual({ input: input.name, code: input.code });
      expect(Buffer.from(letter.payload.data, 'base64').equals(input.payload)).toBe(true);
      expect(letter.payload.size).toBe(input.payload.length);
      expect(letter.deviceId).toBe(device);
      expect(letter.source.ref).toBe(topic);
      expect(letter.reason.message.length).toBeGreaterThan(0);
    });

    // Still up and still forwarding after all of that.
    const [good] = await waitForRecords(started.brokers, started.topic('telemetry'), 1);
    expect((JSON.parse(good?.payload ?? '') as Telemetry).values).toEqual({ temperature: { value: 22 } });
    expect(gateway.running).toBe(true);
    expect((await gateway.get('/health/live')).status).toBe(200);
    expect(await gateway.metric('fieldlink_ingest_dead_lettered_total')).toBe(BAD_INPUTS.length);
    expect(await gateway.metric('fieldlink_ingest_dead_lettered_total', { code: 'FL_DECODE_INVALID_UTF8' })).toBe(2);
    expect(await gateway.metric('fieldlink_ingest_dead_lettered_total', { code: 'FL_DECODE_TOO_LARGE' })).toBe(1);
  });
});
