import { type CommandResult, type DeadLetter, type DeviceStatus, type Telemetry } from '@fieldlink/schemas';
import { type Infra, type MqttGatewayUnderTest, produce, readTopic, run, sharedInfra, startMqttGateway, waitFor } from '@fieldlink/testing';
import { type Sent, SparkplugEdgeNode } from './sparkplug-peer';

let infra: Infra;
const peers: SparkplugEdgeNode[] = [];
const gateways: MqttGatewayUnderTest[] = [];

beforeAll(async () => {
  infra = await sharedInfra();
});

afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.kill()));
  await Promise.all(gateways.splice(0).map((g) => g.gateway.stop()));
});

/** A gateway that bridges only this test's Sparkplug group (its root), as examples/sparkplug.yaml does every group. */
async function sparkplugGateway(): Promise<MqttGatewayUnderTest & { group: string }> {
  const started = await startMqttGateway(infra, { config: (root) => ({ mappings: [], sparkplug: { groups: [root], hostId: root, rebirthIntervalMs: 1000 } }) });
  gateways.push(started);
  return { ...started, group: started.root };
}

function edgeNode(group: string, node: string, options: { bdSeq?: number; skipSeqAt?: number; count?: number } = {}): SparkplugEdgeNode {
  const peer = new SparkplugEdgeNode(infra.mqttPort, group, node, options);
  peers.push(peer);
  return peer;
}

async function records<T>(g: MqttGatewayUnderTest, topic: string): Promise<T[]> {
  return (await readTopic(g.brokers, g.topic(topic))).map((r) => JSON.parse(r.payload ?? '') as T);
}

/** Telemetry of these DDATA messages, each found by its device and counter. */
function waitForData(g: MqttGatewayUnderTest, group: string, node: string, sent: Sent[]): Promise<Map<string, Telemetry>> {
  return waitFor(`${sent.length} DDATA in telemetry`, async () => {
    const found = new Map((await records<Telemetry>(g, 'telemetry')).filter((t) => t.values['counter'] !== undefined).map((t) => [`${t.deviceId}#${String(t.values['counter']?.value)}`, t]));
    return sent.every((s) => found.has(`${group}/${node}/${s.device}#${s.counter}`)) && found;
  }, { timeoutMs: 60_000, intervalMs: 500 });
}

async function statuses(g: MqttGatewayUnderTest): Promise<[string, string][]> {
  return (await records<DeviceStatus>(g, 'device-status')).map((s) => [s.deviceId, s.status]);
}

describe('Sparkplug B host application, against a pysparkplug edge node', () => {
  it('forwards births and alias-only data under each metric\'s name, type and time; writes reach the device as DCMD', async () => {
    const g = await sparkplugGateway();
    // kcat -e may not see the end of a topic that is written to all the time: the data stops first.
    const peer = edgeNode(g.group, 'n1', { count: 20 });
    const node = `${g.group}/n1`;
    const sent = await peer.waitSent(20);
    const found = await waitForData(g, g.group, 'n1', sent);

    for (const s of sent) {
      const t = found.get(`${node}/${s.device}#${s.counter}`) as Telemetry;
      expect(t.eventTime).toBe(new Date(s.timestamp).toISOString());
      expect(t.source).toMatchObject({ protocol: 'mqtt', mapping: 'sparkplug', ref: `spBv1.0/${g.group}/DDATA/n1/${s.device}` });
      const values = Object.fromEntries(Object.entries(t.values).map(([k, v]) => [k, v.value]));
      expect(values).toEqual({
        counter: s.counter,
        offset: -(s.counter % 100),
        big: (2n ** 63n + BigInt(s.counter)).toString(),
        temperature: 20.5,
        pressure: 1.25 + s.counter,
        running: s.counter % 2 === 0,
        mode: `m${s.counter}`,
        serviced: '2026-01-01T00:00:00.000Z',
        setpoint: 50,
      });
    }
    const births = (await records<Telemetry>(g, 'telemetry')).filter((t) => t.source.ref.includes('BIRTH'));
    expect([...new Set(births.map((t) => t.deviceId))].sort()).toEqual([node, `${node}/d1`, `${node}/d2`]);
    // pysparkplug stamps bdSeq and uptime at different times: one record per metric timestamp.
    const nodeBirth = births.filter((t) => t.deviceId === node);
    expect(Object.assign({}, ...nodeBirth.map((t) => t.values))).toEqual({ bdSeq: { value: 0 }, uptime: { value: 0 } });
    expect(new Set(nodeBirth.map((t) => t.eventTime)).size).toBe(nodeBirth.length);
    expect(await statuses(g)).toEqual(expect.arrayContaining([[node, 'online'], [`${node}/d1`, 'online'], [`${node}/d2`, 'online']]));
    const state = await run('mosquitto_sub', ['-p', String(infra.mqttPort), '-t', `spBv1.0/STATE/${g.root}`, '-C', '1', '-W', '10'], { timeoutMs: 15_000 });
    expect(JSON.parse(state.stdout)).toMatchObject({ online: true });

    const command = (id: string, metrics: Record<string, unknown>) => JSON.stringify({ schemaVersion: 1, id: `${g.root}-${id}`, deviceId: `${node}/d1`, action: 'write', args: { metrics } });
    await produce(g.brokers, g.topic('commands'), `${node}/d1`, command('write', { setpoint: 42.5, offset: -3 }));
    await produce(g.brokers, g.topic('commands'), `${node}/d1`, command('unknown', { nosuch: 1 }));
    await produce(g.brokers, g.topic('commands'), `${node}/d1`, command('misfit', { offset: 300 }));
    const [dcmd] = await waitFor('the DCMD at the edge node', () => peer.commands.length > 0 && peer.commands);
    expect(dcmd).toEqual({ device: 'd1', metrics: [{ name: 'setpoint', datatype: 'DOUBLE', value: 42.5 }, { name: 'offset', datatype: 'INT8', value: -3 }] });
    const results = await waitFor('three command results', async () => {
      const got = await records<CommandResult>(g, 'command-results');
      return got.length >= 3 && got;
    });
    expect(Object.fromEntries(results.map((r) => [r.id.replace(`${g.root}-`, ''), [r.status, r.code]]))).toEqual({
      write: ['delivered', undefined],
      unknown: ['failed', 'FL_SPARKPLUG_UNKNOWN_METRIC'],
      misfit: ['failed', 'FL_SPARKPLUG_BAD_VALUE'],
    });
    expect(peer.commands).toHaveLength(1);

    const rebirth = JSON.stringify({ schemaVersion: 1, id: `${g.root}-rebirth`, deviceId: node, action: 'Node Control/Rebirth' });
    await produce(g.brokers, g.topic('commands'), node, rebirth);
    await waitFor('the edge node to be asked for a rebirth by command', () => peer.rebirthAt(1) >= 0);
    expect(peer.events.find((e) => e.ncmd)?.ncmd).toEqual(['Node Control/Rebirth']);
  });

  it('turns a SIGKILLed edge node\'s will (NDEATH) into offline for the node and both devices, and its return with a new bdSeq into online', async () => {
    const g = await sparkplugGateway();
    const node = `${g.group}/n2`;
    await edgeNode(g.group, 'n2').waitSent(5);
    await waitFor('online for the node and both devices', async () => (await statuses(g)).length >= 3);
    await peers[0]?.kill();
    const offline = await waitFor('offline for the node and both devices', async () => {
      const got = (await statuses(g)).filter(([, s]) => s === 'offline');
      return got.length >= 3 && got;
    });
    expect(offline.map(([d]) => d).sort()).toEqual([node, `${node}/d1`, `${node}/d2`]);

    edgeNode(g.group, 'n2', { bdSeq: 1 });
    // Keyed by deviceId: each one's records are in order within its partition.
    const back = await waitFor('online again', async () => {
      const all = await records<DeviceStatus>(g, 'device-status');
      const each = [node, `${node}/d1`, `${node}/d2`].map((d) => all.filter((s) => s.deviceId === d));
      return each.every((seq) => seq.map((s) => s.status).join() === 'online,offline,online') && each;
    });
    expect(back[0]?.[2]?.detail).toMatchObject({ bdSeq: '1' });
    expect(back[0]?.[1]?.detail).toMatchObject({ reason: 'NDEATH', bdSeq: '0' });
  });

  it('after a gateway restart, asks the edge node for a rebirth and loses nothing sent after it', async () => {
    const g = await sparkplugGateway();
    const peer = edgeNode(g.group, 'n3');
    await peer.waitSent(10);
    await g.gateway.stop();
    const state = await run('mosquitto_sub', ['-p', String(infra.mqttPort), '-t', `spBv1.0/STATE/${g.root}`, '-C', '1', '-W', '10'], { timeoutMs: 15_000 });
    expect(JSON.parse(state.stdout)).toMatchObject({ online: false });
    await g.gateway.spawn();
    const rebirth = await waitFor('the edge node to answer a rebirth request', () => peer.rebirthAt(1) >= 0 && peer.rebirthAt(1), { timeoutMs: 30_000 });
    const before = peer.sent.length;
    await peer.waitSent(before + 30);
    await peer.end();
    const afterRebirth = peer.events.slice(rebirth).flatMap((e) => (e.sent ? [e.sent] : []));
    await waitForData(g, g.group, 'n3', afterRebirth);
    const refused = (await records<DeadLetter>(g, 'dead-letter')).map((d) => d.reason.code);
    expect(refused).toContain('FL_SPARKPLUG_NO_BIRTH');
    expect(await g.gateway.metric('fieldlink_sparkplug_rebirth_requests_total')).toBeGreaterThanOrEqual(1);
  });

  it('dead-letters malformed protobuf, a payload that is no Sparkplug, an overlong node id and a seq gap, counts them, and stays up', async () => {
    const g = await sparkplugGateway();
    const pub = (topic: string, message: string) => run('mosquitto_pub', ['-p', String(infra.mqttPort), '-q', '1', '-t', topic, '-m', message]);
    await pub(`spBv1.0/${g.group}/NDATA/bad`, '\u00ff\u00ff\u00ff');
    await pub(`spBv1.0/${g.group}/DDATA/bad/d`, '{"temperature": 21}');
    // A deviceId too long for a record, at QoS 1: dead-lettered, and the acks behind it keep flowing.
    const long = `spBv1.0/${g.group}/NDATA/${'a'.repeat(300)}`;
    await pub(long, 'x');
    const peer = edgeNode(g.group, 'n4', { skipSeqAt: 8, count: 20 });
    await waitFor('a rebirth after the gap', () => peer.rebirthAt(1) >= 0, { timeoutMs: 30_000 });
    const afterRebirth = await waitFor('data after the rebirth', () => {
      const sent = peer.events.slice(peer.rebirthAt(1)).flatMap((e) => (e.sent ? [e.sent] : []));
      return sent.length >= 5 && sent;
    });
    await waitForData(g, g.group, 'n4', afterRebirth);

    const letters = await records<DeadLetter>(g, 'dead-letter');
    const codes = (ref: string) => letters.filter((d) => d.source.ref === ref).map((d) => d.reason.code);
    expect(codes(`spBv1.0/${g.group}/NDATA/bad`)).toEqual(['FL_SPARKPLUG_MALFORMED']);
    expect(codes(`spBv1.0/${g.group}/DDATA/bad/d`)).toEqual(['FL_SPARKPLUG_MALFORMED']);
    expect(codes(long)).toEqual(['FL_SPARKPLUG_BAD_TOPIC']);
    const gap = letters.find((d) => d.reason.code === 'FL_SPARKPLUG_SEQ_GAP');
    expect(gap?.source.ref).toMatch(`spBv1.0/${g.group}/DDATA/n4/`);
    expect(Buffer.from(gap?.payload.data ?? '', 'base64').length).toBeGreaterThan(0);
    expect(await g.gateway.metric('fieldlink_ingest_dead_lettered_total', { code: 'FL_SPARKPLUG_MALFORMED' })).toBe(2);
    expect(await g.gateway.metric('fieldlink_ingest_dead_lettered_total', { code: 'FL_SPARKPLUG_SEQ_GAP' })).toBe(1);
    expect((await g.gateway.get('/health/ready')).status).toBe(200);
  });
});
