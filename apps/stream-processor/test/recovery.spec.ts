import { type Infra, type ServiceProcess, sharedInfra, waitFor } from '@fieldlink/testing';
import { type Reading, compareWindows, processorRun, produceAll, readJson, readings, referenceWindows, type WindowStatsOut } from './support';

const T0 = Date.UTC(2026, 0, 1);
const tumbling = { sizeMs: 60_000, advanceMs: 60_000, graceMs: 5_000 };

function stream(devices: number, from: number, to: number): Reading[] {
  const rs: Reading[] = [];
  for (let i = from; i < to; i++) {
    for (let d = 0; d < devices; d++) {
      const deviceId = `dev-${d}`;
      rs.push({ deviceId, time: T0 + i * 1000, values: { temperature: 20 + ((i * 7 + d * 3) % 11) / 10, load: (i % 60) + d }, id: `${deviceId}-${i}` });
    }
  }
  return rs;
}

async function allWindows(brokers: string, topic: string, distinct: number): Promise<WindowStatsOut[]> {
  return waitFor('every window emitted', async () => {
    const got = await readJson<WindowStatsOut>(brokers, topic);
    return new Set(got.map((w) => w.id)).size >= distinct ? got : undefined;
  }, { timeoutMs: 180_000, intervalMs: 1000 });
}

describe('stream-processor recovery', () => {
  let infra: Infra;
  const started: ServiceProcess[] = [];

  beforeAll(async () => {
    infra = await sharedInfra();
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((p) => p.kill()));
  });

  it('after a SIGKILL mid-stream, window-stats still equal an offline recomputation: nothing lost, duplicates share ids', async () => {
    const run = processorRun(infra, { windows: [tumbling] });
    const rs = stream(20, 0, 3000);
    await produceAll(run.brokers, run.topic('telemetry'), readings(rs));
    const first = await run.start();
    started.push(first);
    // Mid-stream, and after some offsets are committed, so the restart has state to rebuild by replay.
    await waitFor(
      'a third processed and committed',
      async () => (await first.metric('fieldlink_stream_records_processed_total')) >= 20_000 && (await first.metric('fieldlink_kafka_offset_commits_total')) >= 3,
      { timeoutMs: 60_000, intervalMs: 20 },
    );
    await first.kill();
    const atKill = await readJson<WindowStatsOut>(run.brokers, run.topic('window-stats'));

    const second = await run.start();
    started.push(second);
    const want = referenceWindows(rs, tumbling);
    expect(atKill.length).toBeLessThan(want.size);
    const windows = await allWindows(run.brokers, run.topic('window-stats'), want.size);
    const duplicates = compareWindows(windows, want);
    expect(await second.metric('fieldlink_stream_records_replayed_total')).toBeGreaterThan(0);
    console.log(`crash test: ${want.size} windows, ${atKill.length} before the kill, ${duplicates} raw duplicates (same id, same content)`);
  });

  it('two instances in one group split the partitions, and rebalances keep results equal to the reference', async () => {
    const run = processorRun(infra, { windows: [tumbling] });
    const firstHalf = stream(40, 0, 750);
    const secondHalf = stream(40, 750, 1500);
    const a = await run.start();
    started.push(a);
    await produceAll(run.brokers, run.topic('telemetry'), readings(firstHalf));
    await waitFor('a has started', async () => (await a.metric('fieldlink_stream_records_processed_total')) > 0, { timeoutMs: 60_000 });

    const b = await run.start();
    started.push(b);
    await produceAll(run.brokers, run.topic('telemetry'), readings(secondHalf));
    await waitFor('both instances process', async () => (await b.metric('fieldlink_stream_records_processed_total')) > 0, { timeoutMs: 60_000 });
    expect(a.logs).toMatch(/partitions assigned/);

    // A leaves; B takes over every partition and rebuilds A's state by replay.
    expect(await a.stop()).toBe(0);
    await produceAll(run.brokers, run.topic('telemetry'), readings(stream(40, 1500, 1600)));
    const rs = [...firstHalf, ...secondHalf, ...stream(40, 1500, 1600)];
    const want = referenceWindows(rs, tumbling);
    const windows = await allWindows(run.brokers, run.topic('window-stats'), want.size);
    const duplicates = compareWindows(windows, want);
    expect(await b.metric('fieldlink_stream_records_replayed_total')).toBeGreaterThan(0);
    console.log(`scale test: ${want.size} windows, ${duplicates} raw duplicates (same id, same content)`);
  });

  it('two replicas, one SIGKILLed mid-stream: every window closes once by id, and every spike raises its alert once by id', async () => {
    const run = processorRun(infra, { windows: [tumbling] });
    // One 95 °C spike per device, each past the default detector's warm-up.
    const spikeAt = (d: number) => 200 + ((d * 37) % 900);
    const isSpike = (r: Reading) => r.time === T0 + spikeAt(Number(r.deviceId.replace('dev-', ''))) * 1000;
    const spiky = (from: number, to: number) => stream(30, from, to).map((r) => (isSpike(r) ? { ...r, values: { ...r.values, temperature: 95 } } : r));
    const [early, late] = [spiky(0, 600), spiky(600, 1200)];
    const [a, b] = [await run.start(), await run.start()];
    started.push(a, b);
    // b joins after a: once b holds partitions, the rebalance that split them is done.
    await waitFor('both replicas holding partitions', () => /"partitions":\[\d[^\n]*partitions assigned/.test(b.logs), { timeoutMs: 60_000, intervalMs: 100 });
    await produceAll(run.brokers, run.topic('telemetry'), readings(early));
    await waitFor(
      'both replicas processing, with offsets committed',
      async () => (await a.metric('fieldlink_stream_records_processed_total')) > 0 && (await b.metric('fieldlink_stream_records_processed_total')) > 0 && (await a.metric('fieldlink_kafka_offset_commits_total')) >= 1,
      { timeoutMs: 60_000, intervalMs: 50 },
    );
    await a.kill();
    await produceAll(run.brokers, run.topic('telemetry'), readings(late));

    const rs = [...early, ...late];
    const want = referenceWindows(rs, tumbling);
    const windows = await allWindows(run.brokers, run.topic('window-stats'), want.size);
    const duplicates = compareWindows(windows, want);
    const raised = await waitFor('an alert for every spike', async () => {
      const alerts = (await readJson<{ id: string; deviceId: string; state: string; value: number }>(run.brokers, run.topic('alerts'))).filter((x) => x.state === 'raised' && x.value === 95);
      return new Set(alerts.map((x) => x.deviceId)).size === 30 ? alerts : undefined;
    }, { timeoutMs: 120_000, intervalMs: 1000 });
    const idsPerDevice = new Map<string, Set<string>>();
    for (const alert of raised) idsPerDevice.set(alert.deviceId, (idsPerDevice.get(alert.deviceId) ?? new Set()).add(alert.id));
    expect([...idsPerDevice.values()].map((ids) => ids.size)).toEqual(Array.from({ length: 30 }, () => 1));
    expect(await b.metric('fieldlink_stream_records_replayed_total')).toBeGreaterThan(0);
    console.log(`replica kill: ${want.size} windows (${duplicates} raw duplicates), ${raised.length} copies of 30 spike alerts`);
  });
});
