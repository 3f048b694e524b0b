import { type Infra, type ServiceProcess, sharedInfra, waitFor } from '@fieldlink/testing';
import { type Reading, compareWindows, processorRun, produceAll, readJson, readings, referenceWindows, type WindowStatsOut } from './support';

interface AlertOut {
  id: string;
  deviceId: string;
  metric: string;
  state: 'raised' | 'cleared';
  value: number;
  score: number;
  severity: string;
  eventTime: string;
  telemetryId: string;
  expected?: { low: number; high: number };
  raisedId?: string;
}
interface DeadLetterOut {
  deviceId?: string;
  reason: { code: string; message: string };
  payload: { data: string };
}

const T0 = Date.UTC(2026, 0, 1);
const second = 1000;
const tumbling = { sizeMs: 60_000, advanceMs: 60_000, graceMs: 10_000 };
const hopping = { sizeMs: 120_000, advanceMs: 60_000, graceMs: 10_000 };

/** A smooth signal a z-score over 60 samples never finds odd (|z| ≤ √2). */
const normal = (device: number, i: number): number => 20 + device + 0.5 * Math.sin((2 * Math.PI * i) / 7);

describe('stream-processor on real Kafka', () => {
  let infra: Infra;
  const started: ServiceProcess[] = [];

  beforeAll(async () => {
    infra = await sharedInfra();
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((p) => p.kill()));
  });

  it('raises one alert per injected spike, clears it, and emits window-stats equal to a reference computation', async () => {
    const run = processorRun(infra, { windows: [tumbling, hopping] });
    const spikes: Record<string, number[]> = { 'dev-1': [300], 'dev-2': [400, 401, 402, 403, 404] };
    const rs: Reading[] = [];
    for (let i = 0; i < 600; i++) {
      for (let d = 0; d < 4; d++) {
        const deviceId = `dev-${d}`;
        const value = spikes[deviceId]?.includes(i) ? 70 : normal(d, i);
        rs.push({ deviceId, time: T0 + i * second, values: { temperature: value }, id: `${deviceId}-${i}` });
      }
    }
    started.push(await run.start());
    await produceAll(run.brokers, run.topic('telemetry'), readings(rs));

    const want = new Map([...referenceWindows(rs, tumbling), ...referenceWindows(rs, hopping)]);
    const windows = await waitFor('all windows', async () => {
      const got = await readJson<WindowStatsOut>(run.brokers, run.topic('window-stats'));
      return got.length >= want.size ? got : undefined;
    }, { timeoutMs: 60_000 });
    expect(compareWindows(windows, want)).toBe(0);

    const alerts = await waitFor('raised and cleared alerts', async () => {
      const got = await readJson<AlertOut>(run.brokers, run.topic('alerts'));
      return got.length >= 4 ? got : undefined;
    }, { timeoutMs: 30_000 });
    const summary = alerts.map((a) => `${a.deviceId} ${a.state} ${a.telemetryId}`);
    expect(summary).toEqual(expect.arrayContaining(['dev-1 raised dev-1-300', 'dev-2 raised dev-2-400']));
    expect(alerts.filter((a) => a.state === 'raised').map((a) => a.telemetryId).sort()).toEqual(['dev-1-300', 'dev-2-400']);
    expect(alerts.filter((a) => a.state === 'cleared').map((a) => a.deviceId).sort()).toEqual(['dev-1', 'dev-2']);
    const raised = alerts.find((a) => a.telemetryId === 'dev-1-300');
    expect(raised).toMatchObject({ metric: 'temperature', value: 70, severity: 'high', eventTime: new Date(T0 + 300 * second).toISOString() });
    expect(raised?.score).toBeGreaterThan(0.99);
    expect(raised?.expected?.high).toBeLessThan(70);
    expect(alerts.find((a) => a.deviceId === 'dev-1' && a.state === 'cleared')?.raisedId).toBe(raised?.id);

    // anomaly score > 0.9 → the emergency decision (throttle below 85 °C), once per sustained anomaly, expiring ttlMs after the event
    const commands = await readJson<{ deviceId: string; action: string; createdAt: string; expiresAt: string; args: { rule: string }; protocol: string; gateway: string }>(
      run.brokers,
      run.topic('commands'),
    );
    expect(commands.map((c) => `${c.deviceId} ${c.action} ${c.args.rule}`).sort()).toEqual(['dev-1 throttle emergency-response', 'dev-2 throttle emergency-response']);
    // Addressed to the protocol and gateway instance the triggering reading came through.
    expect(commands.map((c) => [c.protocol, c.gateway])).toEqual([
      ['mqtt', 'test'],
      ['mqtt', 'test'],
    ]);
    const throttle = commands.find((c) => c.deviceId === 'dev-1');
    expect(Date.parse(throttle?.expiresAt ?? '') - Date.parse(throttle?.createdAt ?? '')).toBe(60_000);
  });

  it('includes out-of-order events inside the grace period and dead-letters and counts those beyond it', async () => {
    const run = processorRun(infra, { windows: [tumbling], detectors: { default: { type: 'none' } } });
    const at = (s: number, value: number, id: string): Reading => ({ deviceId: 'late-1', time: T0 + s * second, values: { pressure: value }, id });
    const rs = [at(10, 1, 'a'), at(65, 2, 'b'), at(55, 3, 'in-grace'), at(75, 4, 'c'), at(30, 100, 'too-late'), at(200, 5, 'd')];
    const processor = await run.start();
    started.push(processor);
    await produceAll(run.brokers, run.topic('telemetry'), readings(rs));

    const letters = await waitFor('late dead letter', async () => {
      const got = await readJson<DeadLetterOut>(run.brokers, run.topic('dead-letter'));
      return got.length >= 1 ? got : undefined;
    }, { timeoutMs: 30_000 });
    expect(letters).toHaveLength(1);
    expect(letters[0]?.reason.code).toBe('FL_STREAM_LATE_EVENT');
    expect(letters[0]?.deviceId).toBe('late-1');
    expect(JSON.parse(Buffer.from(letters[0]?.payload.data ?? '', 'base64').toString('utf8'))).toMatchObject({ id: 'too-late' });
    expect(await processor.metric('fieldlink_stream_records_rejected_total', { code: 'FL_STREAM_LATE_EVENT' })).toBe(1);

    const windows = await waitFor('windows', async () => {
      const got = await readJson<WindowStatsOut>(run.brokers, run.topic('window-stats'));
      return got.length >= 2 ? got : undefined;
    }, { timeoutMs: 30_000 });
    const first = windows.find((w) => w.window.start === new Date(T0).toISOString());
    expect(first).toMatchObject({ count: 2, min: 1, max: 3, lastEventTime: new Date(T0 + 55 * second).toISOString() });
    expect(windows.find((w) => w.window.start === new Date(T0 + 60 * second).toISOString())).toMatchObject({ count: 2, min: 2, max: 4 });
  });

  it('dead-letters invalid telemetry with its raw bytes and keeps processing', async () => {
    const run = processorRun(infra, { windows: [tumbling] });
    const processor = await run.start();
    started.push(processor);
    const garbage = ['{"not":"telemetry"}', 'not json at all', JSON.stringify({ schemaVersion: 1, deviceId: 'x' })];
    const good = readings([
      { deviceId: 'ok-1', time: T0, values: { t: 1 } },
      { deviceId: 'ok-1', time: T0 + 120 * second, values: { t: 2 } },
    ]);
    await produceAll(run.brokers, run.topic('telemetry'), [...garbage.map((value) => ({ key: 'bad', value })), ...good]);

    const letters = await waitFor('dead letters', async () => {
      const got = await readJson<DeadLetterOut>(run.brokers, run.topic('dead-letter'));
      return got.length >= 3 ? got : undefined;
    }, { timeoutMs: 30_000 });
    expect(letters.map((l) => l.reason.code)).toEqual(Array(3).fill('FL_STREAM_INVALID_TELEMETRY'));
    expect(letters.map((l) => Buffer.from(l.payload.data, 'base64').toString('utf8'))).toEqual(garbage);
    const windows = await waitFor('window after bad input', async () => {
      const got = await readJson<WindowStatsOut>(run.brokers, run.topic('window-stats'));
      return got.length >= 1 ? got : undefined;
    }, { timeoutMs: 30_000 });
    expect(windows[0]).toMatchObject({ deviceId: 'ok-1', count: 1, mean: 1 });
    expect((await processor.get('/health/live')).status).toBe(200);
    expect(await processor.metric('fieldlink_stream_records_rejected_total', { code: 'FL_STREAM_INVALID_TELEMETRY' })).toBe(3);
  });
});
