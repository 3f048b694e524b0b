import { type IPublishPacket, type Packet, generate, parser } from 'mqtt-packet';
import { MqttError, MqttErrorCode } from '../errors';
import { type CutPublish, MAX_KEPT_PROPERTIES_BYTES, OversizeGuard } from './oversize-guard';

const KEEP = 16;
type Version = 4 | 5;

function feed(protocolVersion: Version, chunks: Buffer[]): { out: Buffer; cuts: CutPublish[] } {
  const cuts: CutPublish[] = [];
  const guard = new OversizeGuard({ protocolVersion, keepPayloadBytes: KEEP, onCut: (cut) => cuts.push(cut) });
  return { out: Buffer.concat(chunks.flatMap((chunk) => guard.push(chunk))), cuts };
}

/** Every way to cut the bytes in two, and byte by byte. */
function splits(bytes: Buffer): Buffer[][] {
  const ways = Array.from({ length: bytes.length + 1 }, (_, i) => [bytes.subarray(0, i), bytes.subarray(i)]);
  return [...ways, Array.from(bytes, (b) => Buffer.from([b]))];
}

/** The packets mqtt-packet's parser (mqtt.js's) reads from the bytes; fails on anything it cannot. */
function parse(bytes: Buffer, protocolVersion: Version): Packet[] {
  const packets: Packet[] = [];
  const p = parser({ protocolVersion });
  p.on('packet', (packet) => packets.push(packet));
  p.on('error', (error) => {
    throw error;
  });
  p.parse(bytes);
  return packets;
}

const wire = (packets: Packet[], protocolVersion: Version) => Buffer.concat(packets.map((p) => generate(p, { protocolVersion })));

/** What a broker sends besides PUBLISH: none of it is looked into. */
function others(protocolVersion: Version): Packet[] {
  const v5 = protocolVersion === 5;
  return [
    v5 ? { cmd: 'connack', sessionPresent: true, reasonCode: 0, properties: { receiveMaximum: 100 } } : { cmd: 'connack', sessionPresent: true, returnCode: 0 },
    { cmd: 'suback', messageId: 1, granted: [1, 0] },
    { cmd: 'publish', topic: 's/d-1/data', payload: Buffer.from('{"t":1}'), qos: 1, messageId: 7, dup: false, retain: false },
    { cmd: 'pubrel', messageId: 3 },
    { cmd: 'pingresp' },
    // Longer than KEEP, but by its topic: looked into and passed whole.
    { cmd: 'publish', topic: `s/${'x'.repeat(40)}/data`, payload: Buffer.from('{"t":2}'), qos: 0, dup: false, retain: false },
  ];
}

function bigPublish(protocolVersion: Version, qos: 0 | 1 | 2, payloadBytes = 300): IPublishPacket {
  const payload = Buffer.from(Array.from({ length: payloadBytes }, (_, i) => i % 251));
  const publish: IPublishPacket = { cmd: 'publish', topic: 'plant/north/pump-1/data', payload, qos, dup: qos > 0, retain: false };
  if (qos > 0) publish.messageId = 4242;
  if (protocolVersion === 5) publish.properties = { contentType: 'application/json', messageExpiryInterval: 60, userProperties: { site: 'north' } };
  return publish;
}

const cutTo = (publish: IPublishPacket, bytes: number): IPublishPacket => ({ ...publish, payload: (publish.payload as Buffer).subarray(0, bytes) });

describe(OversizeGuard.name, () => {
  it.each<Version>([4, 5])('passes every packet but an oversized PUBLISH through unchanged, however the bytes are split (MQTT protocol level %i)', (version) => {
    const input = wire(others(version), version);
    for (const chunks of splits(input)) {
      const { out, cuts } = feed(version, chunks);
      expect(out.equals(input)).toBe(true);
      expect(cuts).toEqual([]);
    }
  });

  it('hands the packets of one chunk on as one buffer, without copying, when none is longer than the limit', () => {
    const input = wire(others(5), 5);
    const guard = new OversizeGuard({ protocolVersion: 5, keepPayloadBytes: 1000, onCut: () => undefined });
    const [out, ...rest] = guard.push(input);
    expect(rest).toEqual([]);
    expect(out?.buffer).toBe(input.buffer);
    expect(out?.equals(input)).toBe(true);
  });

  it.each<[Version, 0 | 1 | 2]>([
    [4, 0],
    [4, 1],
    [4, 2],
    [5, 0],
    [5, 1],
    [5, 2],
  ])('cuts an oversized PUBLISH to its first bytes with its flags, topic, packet id and properties, however split (MQTT %i, QoS %i)', (version, qos) => {
    const big = bigPublish(version, qos);
    const around = others(version);
    const input = wire([...around.slice(0, 3), big, ...around.slice(3)], version);
    const expected = [...around.slice(0, 3), cutTo(big, KEEP), ...around.slice(3)];
    const expectedBytes = wire(expected, version);
    for (const chunks of splits(input)) {
      const { out, cuts } = feed(version, chunks);
      expect(out.equals(expectedBytes)).toBe(true);
      expect(cuts).toEqual([{ topic: big.topic, packetId: big.messageId, payloadBytes: 300, keptPayloadBytes: KEEP, droppedPropertiesBytes: 0 }]);
    }
    const parsed = parse(feed(version, [input]).out, version);
    expect(parsed).toHaveLength(expected.length);
    expect(parsed[3]).toMatchObject({ cmd: 'publish', topic: big.topic, qos, dup: big.dup, retain: false, payload: cutTo(big, KEEP).payload });
    expect((parsed[3] as IPublishPacket).messageId).toBe(big.messageId);
    if (version === 5) expect((parsed[3] as IPublishPacket).properties).toEqual(big.properties);
  });

  it('cuts a 100 MB payload arriving in 64 KiB chunks, returning nothing of it past the kept bytes, then reads on', () => {
    const header = generate({ ...bigPublish(4, 1), payload: Buffer.alloc(0) }, { protocolVersion: 4 });
    const payloadBytes = 100 * 1024 * 1024;
    // The fixed header of the real packet: PUBLISH QoS 1 DUP, Remaining Length = variable header + 100 MB.
    const variable = header.subarray(2);
    const fixed = Buffer.from([header[0], ...varint(variable.length + payloadBytes)]);
    const cuts: CutPublish[] = [];
    const guard = new OversizeGuard({ protocolVersion: 4, keepPayloadBytes: KEEP, onCut: (cut) => cuts.push(cut) });
    const out: Buffer[] = [...guard.push(fixed), ...guard.push(variable)];
    const chunk = Buffer.alloc(64 * 1024, 0x7b);
    for (let left = payloadBytes; left > 0; left -= chunk.length) out.push(...guard.push(chunk.subarray(0, Math.min(left, chunk.length))));
    out.push(...guard.push(generate({ cmd: 'pingresp' })));
    const bytes = Buffer.concat(out);
    expect(bytes.length).toBe(2 + variable.length + KEEP + 2);
    expect(parse(bytes, 4)).toMatchObject([{ cmd: 'publish', messageId: 4242, payload: chunk.subarray(0, KEEP) }, { cmd: 'pingresp' }]);
    expect(cuts).toEqual([{ topic: 'plant/north/pump-1/data', packetId: 4242, payloadBytes, keptPayloadBytes: KEEP, droppedPropertiesBytes: 0 }]);
  });

  it('drops MQTT 5 properties too large to hold and passes the rest of the PUBLISH, payload whole when it is short', () => {
    // An MQTT string holds at most 65,535 bytes [MQTT-1.5.4], so several of them.
    const huge = 'p'.repeat(MAX_KEPT_PROPERTIES_BYTES / 2);
    const publish: IPublishPacket = { ...bigPublish(5, 1), payload: Buffer.from('{"t":3}'), properties: { userProperties: { a: huge, b: huge, c: huge } } };
    const input = wire([publish, { cmd: 'pingresp' }], 5);
    expect(input.length).toBeGreaterThan(1.5 * MAX_KEPT_PROPERTIES_BYTES);
    for (const size of [1, 1000, 64 * 1024, input.length]) {
      const chunks = Array.from({ length: Math.ceil(input.length / size) }, (_, i) => input.subarray(i * size, (i + 1) * size));
      const { out, cuts } = feed(5, chunks);
      expect(out.equals(wire([{ ...publish, properties: {} }, { cmd: 'pingresp' }], 5))).toBe(true);
      expect(cuts).toEqual([{ topic: publish.topic, packetId: 4242, payloadBytes: 7, keptPayloadBytes: 7, droppedPropertiesBytes: expect.any(Number) as number }]);
      expect(cuts[0]?.droppedPropertiesBytes).toBeGreaterThan(MAX_KEPT_PROPERTIES_BYTES);
    }
  });

  it.each<[string, Version, number[]]>([
    ['a Remaining Length of five bytes', 4, [0x30, 0xff, 0xff, 0xff, 0xff, 0x01]],
    ['a PUBLISH with QoS 3', 4, [0x36, 100, 0, 1, 0x61]],
    ['a topic longer than its packet', 4, [0x30, 20, 0x00, 0xff, 0x61]],
    ['MQTT 5 properties longer than their packet', 5, [0x30, 20, 0x00, 0x01, 0x61, 100]],
    ['a properties length of five bytes', 5, [0x30, 100, 0x00, 0x01, 0x61, 0xff, 0xff, 0xff, 0xff, 0x01]],
  ])('throws on %s, bytes no broker sends, so the connection is closed', (_name, version, bytes) => {
    const guard = new OversizeGuard({ protocolVersion: version, keepPayloadBytes: KEEP, onCut: () => undefined });
    let thrown: unknown;
    try {
      guard.push(Buffer.concat([Buffer.from(bytes), Buffer.alloc(200)]));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MqttError);
    expect((thrown as MqttError).code).toBe(MqttErrorCode.MalformedPacket);
  });
});

function varint(value: number): number[] {
  const bytes: number[] = [];
  do {
    const byte = value % 128;
    value = Math.floor(value / 128);
    bytes.push(value > 0 ? byte | 0x80 : byte);
  } while (value > 0);
  return bytes;
}
