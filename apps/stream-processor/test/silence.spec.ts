import { type Infra, type ServiceProcess, sharedInfra, waitFor } from '@fieldlink/testing';
import { type Alert, type DeviceStatus } from '@fieldlink/schemas';
import { processorRun, produceAll, readJson, readings } from './support';

jest.setTimeout(180_000);

type StatusOut = DeviceStatus & { detail: { reason?: string; silentForMs?: number; detectedBy?: string } };

const AFTER_MS = 4000;
const CHECK_MS = 500;

let infra: Infra;
const started: ServiceProcess[] = [];

beforeAll(async () => {
  infra = await sharedInfra();
});

afterAll(async () => {
  await Promise.all(started.map((s) => s.kill()));
});

describe('silent devices', () => {
  it('are reported offline (silent) with an alert within the limit plus the check interval, again with the same ids after a restart, and online with the alert cleared on their next reading', async () => {
    // One partition, so the reading that wakes the restarted processor replays the silent device's partition too.
    const run = processorRun(infra, { topics: { partitions: 1 }, silence: { afterMs: AFTER_MS, checkIntervalMs: CHECK_MS } });
    const first = await run.start();
    started.push(first);
    const now = Date.now();
    const reading = (deviceId: string, i: number) => ({ deviceId, time: now + i, values: { temperature: 20 }, id: `${deviceId}-${i}` });
    await produceAll(run.brokers, run.topic('telemetry'), readings([reading('quiet', 0), reading('quiet', 1), reading('other', 2)]));
    const lastSentAt = Date.now();

    const statuses = () => readJson<StatusOut>(run.brokers, run.topic('device-status'));
    const quietStatuses = async () => (await statuses()).filter((s) => s.deviceId === 'quiet');
    const [offline] = await waitFor('quiet reported silent', async () => {
      const got = (await quietStatuses()).filter((s) => s.status === 'offline');
      return got.length > 0 && got;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    expect(offline?.detail).toMatchObject({ reason: 'silent' });
    // Measured by the processor from the record's arrival in Kafka: the limit, plus at most one check interval (and timer slack).
    expect(offline?.detail.silentForMs).toBeGreaterThanOrEqual(AFTER_MS);
    expect(offline?.detail.silentForMs).toBeLessThanOrEqual(AFTER_MS + CHECK_MS + 1000);
    expect(Date.now() - lastSentAt).toBeGreaterThanOrEqual(AFTER_MS);

    // A restart while the device is silent: the new instance rebuilds the state by replay.
    expect(await first.stop()).toBe(0);
    const second = await run.start();
    started.push(second);
    await produceAll(run.brokers, run.topic('telemetry'), readings([reading('other', 3)]));
    const again = await waitFor('the restarted processor to find the same silence', async () => {
      const got = (await quietStatuses()).filter((s) => s.status === 'offline' && s.detail.detectedBy !== offline?.detail.detectedBy);
      return got.length > 0 && got;
    }, { timeoutMs: 60_000, intervalMs: 500 });
    expect(again.map((s) => s.id)).toEqual([offline?.id]);

    await produceAll(run.brokers, run.topic('telemetry'), readings([reading('quiet', 4)]));
    const online = await waitFor('quiet online again', async () => {
      const got = (await quietStatuses()).filter((s) => s.status === 'online');
      return got.length > 0 && got;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    expect(online).toHaveLength(1);
    expect(online[0]?.detail).toMatchObject({ reason: 'sending_again' });

    const alerts = (await readJson<Alert>(run.brokers, run.topic('alerts'))).filter((a) => a.deviceId === 'quiet' && a.metric === 'silence');
    const raised = new Set(alerts.filter((a) => a.state === 'raised').map((a) => a.id));
    const cleared = alerts.filter((a) => a.state === 'cleared');
    expect(raised.size).toBe(1);
    expect(cleared).toHaveLength(1);
    expect(cleared[0]?.raisedId).toBe([...raised][0]);
    // Neither lost nor duplicated: one silence, the same id however often it was found, one end.
    expect(new Set((await quietStatuses()).filter((s) => s.status === 'offline').map((s) => s.id)).size).toBe(1);
  });
});
