import { type KafkaRecord, mosquittoPubLines, type ServiceProcess, sharedInfra, startMqttGateway, waitForRecords } from '@fieldlink/testing';
import { type Telemetry } from '@fieldlink/schemas';

const DEVICES = 50;
const PER_DEVICE = 200;

describe('mqtt-gateway interop with mosquitto_pub and kcat', () => {
  let gateway: ServiceProcess | undefined;
  afterEach(async () => {
    await gateway?.stop();
  });

  it('forwards 10,000 QoS 1 messages from 50 device topics, keyed and ordered per device, mapped as configured', async () => {
    const infra = await sharedInfra();
    const started = await startMqttGateway(infra, {
      config: (root) => ({ mappings: [{ name: 'plant', topic: `${root}/plant/{site}/{deviceId}/telemetry` }] }),
    });
    gateway = started.gateway;
    const root = started.root;

    const site = (d: number) => `site-${d % 3}`;
    const device = (d: number) => `${started.root}-dev-${String(d).padStart(2, '0')}`;
    const publishers = Array.from({ length: DEVICES }, (_, d) => {
      const lines = Array.from({ length: PER_DEVICE }, (_, seq) =>
        JSON.stringify({ seq, temperature: 20 + ((d + seq) % 10) / 10, ts: 1_700_000_000_000 + seq }),
      );
      return () => mosquittoPubLines(infra.mqttPort, `${root}/plant/${site(d)}/${device(d)}/telemetry`, lines);
    });
    for (let i = 0; i < publishers.length; i += 10) await Promise.all(publishers.slice(i, i + 10).map((p) => p()));

    const records = await waitForRecords(started.brokers, started.topic('telemetry'), DEVICES * PER_DEVICE, 180_000);
    expect(records).toHaveLength(DEVICES * PER_DEVICE);
    const envelopes = records.map((r: KafkaRecord) => ({ record: r, t: JSON.parse(r.payload ?? '') as Telemetry }));
    expect(new Set(envelopes.map((e) => e.t.id)).size).toBe(DEVICES * PER_DEVICE);

    const seqByDevice = new Map<string, number[]>();
    for (const { record, t } of envelopes.sort((a, b) => a.record.offset - b.record.offset)) {
      expect(record.key).toBe(t.deviceId);
      const d = Number(t.deviceId.slice(-2));
      expect(t.deviceId).toBe(device(d));
      expect(t.labels).toEqual({ site: site(d) });
      expect(t.source).toMatchObject({ protocol: 'mqtt', mapping: 'plant', ref: `${root}/plant/${site(d)}/${device(d)}/telemetry` });
      const seq = t.values['seq']?.value as number;
      expect(t.values['temperature']?.value).toBeCloseTo(20 + ((d + seq) % 10) / 10);
      expect(t.eventTime).toBe(new Date(1_700_000_000_000 + seq).toISOString());
      seqByDevice.set(t.deviceId, [...(seqByDevice.get(t.deviceId) ?? []), seq]);
    }
    expect(seqByDevice.size).toBe(DEVICES);
    for (const seqs of seqByDevice.values()) expect(seqs).toEqual(Array.from({ length: PER_DEVICE }, (_, i) => i));
  });
});
