import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ServiceProcess, freshName, sharedInfra, waitFor } from '@fieldlink/testing';
import { startGateway } from '../test/support';
import { report } from './report';
import { SeqPublisher } from './seq-publisher';
import { TelemetryChecker } from './telemetry-checker';

const CALIBRATE_MS = 20_000;
const STEADY_MS = 60_000;
const OVERLOAD_MS = 5 * 60_000;
const SAMPLE_MS = 1000;

const rssBytes = (pid: number): number => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:')) ?? '';
  return Number(line.replace(/\D+/g, '')) * 1024;
};
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const mb = (bytes: number): string => `${(bytes / 1024 ** 2).toFixed(0)} MB`;

/**
 * Runs for `ms` (a measurement period of the scenario, not a wait for some condition),
 * calling `sample` every SAMPLE_MS.
 */
async function measureFor(ms: number, sample: () => void = () => undefined): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    sample();
    await sleep(SAMPLE_MS);
  }
}

describe('fault: overload', () => {
  let gateway: ServiceProcess | undefined;
  let publisher: SeqPublisher | undefined;
  afterEach(async () => {
    await publisher?.end();
    await gateway?.kill();
  });

  it('keeps resident memory within 1.2x of steady state and loses nothing at twice the sustainable rate for 5 minutes', async () => {
    const infra = await sharedInfra();
    const spoolDir = mkdtempSync(join(tmpdir(), 'fieldlink-spool-'));
    const started = await startGateway(infra, { config: () => ({ spool: { dir: spoolDir } }) });
    const running = (gateway = started.gateway);
    const pid = running.pid as number;
    const checker = new TelemetryChecker(started.brokers, started.topic('telemetry'), 3);
    const pub = (publisher = await SeqPublisher.connect(infra.mqttUrl, freshName('pub'), started.root, 50, 5000));
    const forwarded = () => running.metric('fieldlink_ingest_forwarded_total');
    const caughtUp = async () => (await forwarded()) >= pub.acknowledged;

    // Sustainable rate: what the gateway forwards while offered more than it can take.
    pub.start(100_000);
    await measureFor(CALIBRATE_MS / 2);
    const [from, fromAt] = [await forwarded(), Date.now()];
    await measureFor(CALIBRATE_MS / 2);
    const sustainable = Math.round(((await forwarded()) - from) / ((Date.now() - fromAt) / 1000));
    pub.stopPublishing();
    await pub.settle(120_000);
    await waitFor('the gateway to catch up after calibration', caughtUp, { timeoutMs: 600_000, intervalMs: 500 });

    const steady: number[] = [];
    pub.setRate(sustainable);
    await measureFor(STEADY_MS / 2);
    await measureFor(STEADY_MS / 2, () => steady.push(rssBytes(pid)));

    const overload: number[] = [];
    const publishedBefore = pub.published;
    const overloadStart = Date.now();
    pub.setRate(2 * sustainable);
    await measureFor(OVERLOAD_MS, () => overload.push(rssBytes(pid)));
    const offered = Math.round((pub.published - publishedBefore) / ((Date.now() - overloadStart) / 1000));
    pub.stopPublishing();
    await pub.settle(300_000);
    const backlog = pub.acknowledged - (await forwarded());
    await waitFor('the gateway to work off the backlog', caughtUp, { timeoutMs: 1_200_000, intervalMs: 1000 });
    await checker.waitForAll(pub.acked, 600_000);

    const delivery = checker.delivery(pub.acked);
    const [steadyRss, peakRss] = [median(steady), Math.max(...overload)];
    report(
      'overload 2x for 5 min',
      pub.published,
      delivery,
      `sustainable ${sustainable}/s, offered ${offered}/s, backlog ${backlog} at the end; RSS steady ${mb(steadyRss)}, peak under overload ${mb(peakRss)} (${(peakRss / steadyRss).toFixed(2)}x)`,
    );
    expect(delivery.lost).toBe(0);
    expect(delivery.duplicatesAfterDedupe).toBe(0);
    expect(peakRss).toBeLessThanOrEqual(1.2 * steadyRss);
  }, 45 * 60_000);
});
