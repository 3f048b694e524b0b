import { type Infra, command, produce, settledResults, sharedInfra, waitFor } from '@fieldlink/testing';
import { CyclonePublisher, CycloneSubscriber } from './cyclone';
import { type DdsGatewayUnderTest, ddsTopic, ddsXml, sensorConfig, startDdsGateway, statuses, telemetry } from './support';

const SENSORS = 10;

describe('dds-gateway against an independent DDS stack (Cyclone DDS C peers)', () => {
  let infra: Infra;
  const cleanups: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    infra = await sharedInfra();
  });
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((stop) => stop()));
  });

  async function gateway(options: Parameters<typeof startDdsGateway>[1] = {}): Promise<DdsGatewayUnderTest> {
    const g = await startDdsGateway(infra, options);
    cleanups.push(async () => void (await g.gateway.stop()));
    return g;
  }

  async function publish(options: Parameters<typeof CyclonePublisher.start>[0]): Promise<CyclonePublisher> {
    const pub = await CyclonePublisher.start(options);
    cleanups.push(() => pub.stop());
    return pub;
  }

  it('with only KAFKA_BROKERS set, bridges 5,000 reliable SensorData samples from SensorReadings, keyed by sensor_id, with the sample timestamp as event time', async () => {
    const g = await gateway();
    const COUNT = 5000;
    const base = Date.parse('2026-01-01T00:00:00.000Z');
    const pub = await publish({ topic: 'SensorReadings', count: COUNT, sensors: SENSORS, timestampBase: base });
    await pub.done();
    const records = await waitFor(
      `${COUNT} telemetry records`,
      async () => {
        const all = await telemetry(g);
        if (all.length > COUNT) throw new Error(`${all.length} records for ${COUNT} samples`);
        return all.length === COUNT ? all : false;
      },
      { timeoutMs: 60_000, intervalMs: 1000 },
    );
    const seen = new Set<string>();
    for (const { key, value } of records) {
      const sensor = Number(value.values['humidity']?.value);
      const seq = Number(value.values['temperature']?.value);
      expect(key).toBe(`sensor-${sensor}`);
      expect(value.deviceId).toBe(key);
      // Sample n is sensor n % SENSORS with seq floor(n / SENSORS) + 1 and timestamp base + n.
      expect(value.eventTime).toBe(new Date(base + (seq - 1) * SENSORS + sensor).toISOString());
      expect(value.source).toMatchObject({ protocol: 'dds', gateway: g.root, ref: 'SensorReadings', mapping: 'sensors' });
      expect(Object.keys(value.values).sort()).toEqual(['humidity', 'temperature']);
      expect(value.id).toMatch(/^dds-[0-9a-f]{32}$/);
      seen.add(`${key}/${seq}`);
    }
    expect(seen.size).toBe(COUNT);
    expect(new Set(records.map((r) => r.value.id)).size).toBe(COUNT);
    // The samples, plus at most one without data per sensor once the publisher has gone.
    const taken = await g.gateway.metric('fieldlink_dds_samples_total', { reader: 'sensors' });
    expect(taken).toBeGreaterThanOrEqual(COUNT);
    expect(taken).toBeLessThanOrEqual(COUNT + SENSORS);
  });

  it('reports a disposed instance, and one left without writers, as device-status offline', async () => {
    const topic = ddsTopic('Readings');
    const g = await gateway({ config: sensorConfig(ddsXml({ sensorTopic: topic }), topic) });
    const disposing = await publish({ topic, count: 30, sensors: 3, dispose: true });
    await disposing.done();
    await disposing.stop();
    const disposed = await waitFor('three disposed records', async () => {
      const all = (await statuses(g)).filter((s) => s.detail?.['reason'] === 'disposed');
      return all.length >= 3 ? all : false;
    }, { timeoutMs: 30_000 });
    expect(disposed.map((s) => s.deviceId).sort()).toEqual(['sensor-0', 'sensor-1', 'sensor-2']);
    for (const s of disposed) expect(s).toMatchObject({ status: 'offline', detail: { instanceState: 'NOT_ALIVE_DISPOSED' }, source: { protocol: 'dds', ref: topic } });

    // A second writer whose process ends without disposing: its instances lose their last writer.
    const leaving = await publish({ topic, count: 20, sensors: 2, timestampBase: Date.now() });
    await leaving.done();
    await leaving.stop();
    const gone = await waitFor('no_writers records', async () => {
      const all = (await statuses(g)).filter((s) => s.detail?.['reason'] === 'no_writers').map((s) => s.deviceId);
      return all.includes('sensor-0') && all.includes('sensor-1') ? all : false;
      // DDS notices a writer gone without disposing only when its participant's lease runs out;
      // it took over 30 s once in CI on this 2-core machine, 10-18 s usually.
    }, { timeoutMs: 60_000 });
    expect(gone).not.toContain('sensor-2');
    // Those two were disposed, then written again: each came back online in between.
    const online = (await statuses(g)).filter((s) => s.status === 'online').map((s) => s.deviceId).sort();
    expect(online).toEqual(['sensor-0', 'sensor-1']);
    expect(await g.gateway.metric('fieldlink_dds_instance_changes_total', { reader: 'sensors', state: 'NOT_ALIVE_DISPOSED' })).toBe(3);
  });

  it('writes a command from Kafka to DDS, where a Cyclone subscriber receives it once with exactly one delivered result, also when the record comes again before and after a restart', async () => {
    const topic = ddsTopic('Readings');
    const commandTopic = ddsTopic('Commands');
    const g = await gateway({ config: sensorConfig(ddsXml({ sensorTopic: topic, commandTopic }), topic, { commands: { topic: commandTopic } }) });
    // The device registry learns from its readings that this gateway serves sensor-0.
    const pub = await publish({ topic, count: 5, sensors: 1, lingerMs: 120_000 });
    await pub.done();
    await waitFor('sensor-0 telemetry', async () => (await telemetry(g)).length === 5, { timeoutMs: 30_000 });

    const nobody = command('sensor-0', 'throttle', { args: { percent: 50 } });
    await produce(g.brokers, g.topic('commands'), nobody.deviceId, JSON.stringify(nobody));
    const unmatched = await settledResults(g, nobody);
    expect(unmatched).toHaveLength(1);
    expect(unmatched[0]).toMatchObject({ status: 'failed', code: 'FL_DDS_NO_READER' });

    const sub = await CycloneSubscriber.start(commandTopic);
    cleanups.push(() => sub.stop());
    const sent = command('sensor-0', 'shutdown', { args: { reason: 'emergency_response', delayS: 5 } });
    // Until the subscriber is discovered, a command fails with FL_DDS_NO_READER; send until one is delivered.
    await waitFor('the Cyclone subscriber matched', async () => {
      const probe = command('sensor-0', 'ping');
      await produce(g.brokers, g.topic('commands'), probe.deviceId, JSON.stringify(probe));
      return (await settledResults(g, probe))[0]?.status === 'delivered';
    }, { timeoutMs: 60_000, intervalMs: 500 });
    await produce(g.brokers, g.topic('commands'), sent.deviceId, JSON.stringify(sent));
    const results = await settledResults(g, sent);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ id: sent.id, deviceId: 'sensor-0', status: 'delivered' });
    const received = sub.commands.filter((c) => c.command_id === sent.id);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ device_id: 'sensor-0', action: 'shutdown' });
    expect(JSON.parse(received[0]?.args ?? '')).toEqual({ reason: 'emergency_response', delayS: 5 });

    // A copy of the record (produced twice, replayed): settledResults waits for a later command's
    // result, so the copy has been handled by then.
    await produce(g.brokers, g.topic('commands'), sent.deviceId, JSON.stringify(sent));
    expect(await settledResults(g, sent)).toHaveLength(1);
    await g.gateway.stop();
    await g.gateway.spawn();
    await waitFor('the Cyclone subscriber matched again', async () => {
      const probe = command('sensor-0', 'ping');
      await produce(g.brokers, g.topic('commands'), probe.deviceId, JSON.stringify(probe));
      return (await settledResults(g, probe))[0]?.status === 'delivered';
    }, { timeoutMs: 60_000, intervalMs: 500 });
    await produce(g.brokers, g.topic('commands'), sent.deviceId, JSON.stringify(sent));
    expect(await settledResults(g, sent)).toHaveLength(1);
    expect(sub.commands.filter((c) => c.command_id === sent.id)).toHaveLength(1);
    expect(await g.gateway.metric('fieldlink_commands_total', { status: 'duplicate' })).toBe(1);
  });
});
