import { type Duplex, duplexPair } from 'node:stream';
import { connect } from 'mqtt';
import { type Packet, generate, parser } from 'mqtt-packet';
import pino from 'pino';
import { waitFor } from '@fieldlink/testing';
import { loadMqttGatewayConfig } from '../config/mqtt-gateway.config';
import { CutPublishes, guardOversizedPublishes, keptPayloadBytes } from './cut-publishes';

const KEPT = 8;
const cut = Buffer.alloc(KEPT);

describe(CutPublishes.name, () => {
  it('gives the full size of a cut message once, by topic and packet id', () => {
    const cuts = new CutPublishes(KEPT);
    cuts.record('a', 1, 1000);
    cuts.record('a', 2, 2000);
    expect(cuts.take('b', 1, cut)).toBeUndefined();
    expect(cuts.take('a', 2, cut)).toBe(2000);
    expect(cuts.take('a', 1, cut)).toBe(1000);
    expect(cuts.take('a', 1, cut)).toBeUndefined();
  });

  it('queues QoS 0 messages per topic in arrival order', () => {
    const cuts = new CutPublishes(KEPT);
    cuts.record('a', undefined, 10);
    cuts.record('a', undefined, 20);
    expect([cuts.take('a', undefined, cut), cuts.take('a', undefined, cut), cuts.take('a', undefined, cut)]).toEqual([10, 20, undefined]);
  });

  it('never gives a size to a message of another length than a cut one', () => {
    const cuts = new CutPublishes(KEPT);
    cuts.record('a', 1, 1000);
    expect(cuts.take('a', 1, Buffer.alloc(KEPT - 1))).toBeUndefined();
    expect(cuts.take('a', 1, cut)).toBe(1000);
  });

  it('replaces what a packet id left behind, and forgets everything on clear', () => {
    const cuts = new CutPublishes(KEPT);
    cuts.record('a', 1, 1000);
    cuts.record('a', 1, 1001);
    expect(cuts.take('a', 1, cut)).toBe(1001);
    expect(cuts.take('a', 1, cut)).toBeUndefined();
    cuts.record('a', undefined, 5);
    cuts.clear();
    expect(cuts.take('a', undefined, cut)).toBeUndefined();
  });

  it('holds one more byte than ingest.maxPayloadBytes, or a dead letter\'s worth if that is more', () => {
    const config = loadMqttGatewayConfig({});
    expect(keptPayloadBytes({ ...config, ingest: { ...config.ingest, maxPayloadBytes: 100, deadLetterMaxBytes: 10 } })).toBe(101);
    expect(keptPayloadBytes({ ...config, ingest: { ...config.ingest, maxPayloadBytes: 100, deadLetterMaxBytes: 1000 } })).toBe(1000);
  });
});

/** A broker on the other end of an in-memory socket: CONNACK, then the given packets. */
function fakeBroker(socket: Duplex, packets: Packet[]): void {
  const p = parser({ protocolVersion: 5 });
  p.on('packet', (packet) => {
    if (packet.cmd !== 'connect') return;
    socket.write(generate({ cmd: 'connack', sessionPresent: false, reasonCode: 0 }, { protocolVersion: 5 }));
    for (const out of packets) socket.write(generate(out, { protocolVersion: 5 }));
  });
  socket.on('data', (chunk: Buffer) => p.parse(chunk));
}

describe(guardOversizedPublishes.name, () => {
  it('makes mqtt.js receive the cut PUBLISH on every connection, reconnections included, and records its full size', async () => {
    const base = loadMqttGatewayConfig({});
    const config = { ...base, ingest: { ...base.ingest, maxPayloadBytes: 10, deadLetterMaxBytes: 4 } };
    const cuts = new CutPublishes(keptPayloadBytes(config));
    const client = connect('mqtt://127.0.0.1:1', { manualConnect: true, protocolVersion: 5, clientId: 'c', reconnectPeriod: 0, keepalive: 0 });
    const brokers: Duplex[] = [];
    (client as unknown as { streamBuilder: () => Duplex }).streamBuilder = () => {
      const [ours, broker] = duplexPair();
      brokers.push(broker);
      fakeBroker(broker, [{ cmd: 'publish', topic: 's/d-1/data', payload: Buffer.alloc(5000, 0x61), qos: 0, dup: false, retain: false }]);
      return ours;
    };
    guardOversizedPublishes(client, config, cuts, pino({ level: 'silent' }));
    const received: [number, number | undefined][] = [];
    client.on('message', (topic, payload) => received.push([payload.length, cuts.take(topic, undefined, payload)]));
    try {
      client.connect();
      await waitFor('the first message', () => received.length === 1, { timeoutMs: 5000, intervalMs: 5 });
      brokers[0]?.end();
      await new Promise<void>((resolve) => client.once('close', () => resolve()));
      client.reconnect();
      await waitFor('the message on the new connection', () => received.length === 2, { timeoutMs: 5000, intervalMs: 5 });
      expect(received).toEqual([
        [11, 5000],
        [11, 5000],
      ]);
      expect(brokers).toHaveLength(2);
    } finally {
      await client.endAsync(true);
    }
  });
});
