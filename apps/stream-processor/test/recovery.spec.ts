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
});
