import { type BatchConsumerOptions, type ConsumedRecord, type KafkaService, type OutgoingRecord } from '@fieldlink/kafka';
import { type DeviceRecord, topicMap } from '@fieldlink/schemas';
import pino from 'pino';
import { Registry } from 'prom-client';
import { DeviceRegistry } from './device-registry';
import { DeviceRegistryMetrics } from './device-registry.metrics';

const topics = topicMap();

/** Kafka as a fake: an empty devices topic, and every record written is kept. */
function setup(maxDevices: number, { ends = new Map<number, bigint>(), loadTimeoutMs = 60_000, claimFromOtherProtocols = false } = {}) {
  const sent: OutgoingRecord[] = [];
  let handle: BatchConsumerOptions['handle'] | undefined;
  let onPosition: BatchConsumerOptions['onPosition'];
  const kafka = {
    createConsumer: (options: BatchConsumerOptions) => {
      handle = options.handle;
      onPosition = options.onPosition;
      return { start: () => Promise.resolve() };
    },
    endOffsets: () => Promise.resolve(ends),
    producer: { send: (r: OutgoingRecord) => Promise.resolve(void sent.push(r)) },
  } as unknown as KafkaService;
  const options = { topics, protocol: 'coap' as const, servedAs: 'gw-1', groupId: 'g', refreshMs: 300_000, catchUpTimeoutMs: 100, maxDevices, loadTimeoutMs, claimFromOtherProtocols };
  const registry = new DeviceRegistry(kafka, options, pino({ level: 'silent' }));
  const metrics = new Registry();
  registry.metrics = new DeviceRegistryMetrics(metrics, { devices: () => registry.size });
  const written = () => sent.map((r) => JSON.parse(String(r.value)) as DeviceRecord);
  const read = (records: DeviceRecord[]) =>
    handle?.(records.map((r, i): ConsumedRecord => ({ topic: topics.devices, partition: 0, offset: String(i), key: r.deviceId, value: Buffer.from(JSON.stringify(r)), headers: {}, timestamp: 0 })));
  const handleRaw = (key: string, value: Buffer | null) => handle?.([{ topic: topics.devices, partition: 0, offset: '0', key, value, headers: {}, timestamp: 0 }]);
  return { registry, written, read, handleRaw, metrics, position: (partition: number, next: bigint) => onPosition?.(partition, next) };
}

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second));

describe(DeviceRegistry.name, () => {
  it('finishes its first load when the consumer has passed the end offsets though no record sits at the last ones (a transaction marker, a compacted tail)', async () => {
    // Records at offsets 0 and 1, then a commit marker at 2: the end offset is 3.
    const { registry, read, position } = setup(10, { ends: new Map([[0, 3n]]) });
    const started = registry.start();
    await read([{ schemaVersion: 1, deviceId: 'a', protocol: 'coap', gateway: 'gw-2', ref: '/a', route: 'sensors', firstSeen: at(1).toISOString(), lastSeen: at(1).toISOString() }]);
    let done = false;
    void started.then(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(done).toBe(false);
    position(0, 3n);
    await started;
    expect((await registry.owner('a'))?.gateway).toBe('gw-2');
  });

  it('gives its first load a deadline, after which it routes from what is loaded', async () => {
    const { registry } = setup(10, { ends: new Map([[0, 5n]]), loadTimeoutMs: 300 });
    const began = Date.now();
    await registry.start();
    expect(Date.now() - began).toBeGreaterThanOrEqual(300);
    expect(await registry.owner('a')).toBeUndefined();
  });

  it('holds at most devices.maxDevices, forgets the one seen least recently, counts it, and writes it again when it comes back', async () => {
    const { registry, written, metrics } = setup(2);
    await registry.start();
    await registry.seen('a', 'sensors', '/sensors/a', at(1));
    await registry.seen('b', 'sensors', '/sensors/b', at(2));
    await registry.seen('c', 'sensors', '/sensors/c', at(3));
    expect([registry.size, registry.forgets, await registry.owner('a')]).toEqual([2, true, undefined]);
    expect((await registry.owner('c'))?.gateway).toBe('gw-1');
    expect(await metrics.getSingleMetricAsString('fieldlink_device_registry_evicted_total')).toContain('fieldlink_device_registry_evicted_total 1');
    expect(await metrics.getSingleMetricAsString('fieldlink_device_registry_devices')).toContain('fieldlink_device_registry_devices 2');
    // Within refreshMs a held device is not written again; a forgotten one is, as new.
    await registry.seen('a', 'sensors', '/sensors/a', at(4));
    await registry.seen('c', 'sensors', '/sensors/c', at(5));
    expect(written().map((r) => [r.deviceId, r.firstSeen === r.lastSeen])).toEqual([
      ['a', true],
      ['b', true],
      ['c', true],
      ['a', true],
    ]);
  });

  it('bounds the devices it remembers while it loads to maxDevices; the rest are written with their next message', async () => {
    const { registry, written } = setup(2);
    for (const id of ['a', 'b', 'c']) await registry.seen(id, 'sensors', `/sensors/${id}`, at(1));
    await registry.start();
    await new Promise((resolve) => setImmediate(resolve));
    expect(written().map((r) => r.deviceId).sort()).toEqual(['a', 'b']);
  });

  it('forgets the same devices as every other instance that read the same records', async () => {
    const record = (deviceId: string, second: number, gateway: string): DeviceRecord => ({
      schemaVersion: 1,
      deviceId,
      protocol: 'mqtt',
      gateway,
      ref: deviceId,
      route: 'r',
      firstSeen: at(0).toISOString(),
      lastSeen: at(second).toISOString(),
    });
    const { registry, read } = setup(2);
    await registry.start();
    await read([record('old', 1, 'gw-2'), record('new', 9, 'gw-3'), record('mid', 5, 'gw-2')]);
    expect([await registry.owner('old'), (await registry.owner('mid'))?.gateway, (await registry.owner('new'))?.gateway]).toEqual([undefined, 'gw-2', 'gw-3']);
  });

  describe('a device served over another protocol', () => {
    const mqttPump: DeviceRecord = { schemaVersion: 1, deviceId: 'Pump1', protocol: 'mqtt', gateway: 'mqtt-0', ref: 'plant/Pump1', route: 'r', firstSeen: at(0).toISOString(), lastSeen: at(1).toISOString() };

    it('keeps its owner when this protocol names it, counting each refusal', async () => {
      const { registry, read, written, metrics } = setup(10);
      await registry.start();
      await read([mqttPump]);
      await registry.seen('Pump1', 'sensors', '/sensors', at(2));
      await registry.seen('Pump1', 'observe', '/commands/Pump1', at(3));
      expect([written(), (await registry.owner('Pump1'))?.gateway]).toEqual([[], 'mqtt-0']);
      expect(await metrics.getSingleMetricAsString('fieldlink_device_claims_refused_total')).toContain('fieldlink_device_claims_refused_total{owner="mqtt"} 2');
    });

    it('is taken when devices.claimFromOtherProtocols allows it', async () => {
      const { registry, read, written } = setup(10, { claimFromOtherProtocols: true });
      await registry.start();
      await read([mqttPump]);
      await registry.seen('Pump1', 'sensors', '/sensors', at(2));
      expect(written().map((r) => [r.protocol, r.gateway, r.firstSeen])).toEqual([['coap', 'gw-1', mqttPump.firstSeen]]);
    });

    it('is free again once an operator writes its tombstone', async () => {
      const { registry, read, written, handleRaw } = setup(10);
      await registry.start();
      await read([mqttPump]);
      await handleRaw('Pump1', null);
      await registry.seen('Pump1', 'sensors', '/sensors', at(2));
      expect(written().map((r) => r.gateway)).toEqual(['gw-1']);
    });
  });
});
