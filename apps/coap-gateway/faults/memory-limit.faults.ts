import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as hold } from 'node:timers/promises';
import { LocalService, MemoryCgroup, RssSampler, TelemetryChecker, installBundle, reportFault, sharedInfra, waitFor } from '@fieldlink/testing';
import { CoapDevices } from '../test/coap-devices';
import { type CoapGatewayUnderTest, startCoapGateway } from '../test/support';
import { ackedCount, newRun, postSeqs } from './coap-load';

// The Helm chart's memory limit for a gateway.
const LIMIT_BYTES = 512 * 1024 * 1024;
const DEVICES = 20;
const BEFORE = 5000;
const DOWN_MS = 60_000;
const MiB = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

describe('coap-gateway: Kafka away for 60 s under load, inside a 512 MiB memory cgroup', () => {
  let devices: CoapDevices | undefined;
  let started: CoapGatewayUnderTest | undefined;
  let kafka: LocalService | undefined;
  let cgroup: MemoryCgroup | undefined;
  let rss: RssSampler | undefined;
  afterEach(async () => {
    rss?.stop();
    devices?.close();
    await started?.gateway.kill();
    await kafka?.dispose();
    cgroup?.dispose();
  });

  it(`answers ${DEVICES} devices sending as fast as they are answered through the outage without being OOM-killed, then delivers everything`, async () => {
    cgroup = MemoryCgroup.create(LIMIT_BYTES);
    kafka = await LocalService.kafka();
    const spool = { dir: mkdtempSync(join(tmpdir(), 'fieldlink-coap-spool-')) };
    // The production bundle, installed on its own as an image gets it.
    const bundleDir = await installBundle('coap-gateway');
    const g = (started = await startCoapGateway(await sharedInfra(), { spool }, kafka.address, { cgroup, bundleDir }));
    const pid = g.gateway.pid;
    rss = new RssSampler(() => g.gateway.pid);
    devices = await CoapDevices.open(g.coapPort, DEVICES);
    const run = newRun();
    let stop = false;
    // Each device sends its next reading as soon as the last one is answered: the gateway runs at full load.
    const load = Promise.all(Array.from({ length: DEVICES }, (_, d) => postSeqs(devices as CoapDevices, d, 0, Number.MAX_SAFE_INTEGER, run, () => stop)));

    await waitFor(`${BEFORE} readings answered`, () => ackedCount(run) >= BEFORE, { timeoutMs: 120_000, intervalMs: 100 });
    const ackedAtKill = ackedCount(run);
    await kafka.kill();
    // The outage is the fault being injected, so it is held for its full length while the load goes on.
    await hold(DOWN_MS);
    const answeredWhileDown = ackedCount(run);
    const produced = await g.gateway.metric('fieldlink_kafka_produced_total');
    await kafka.start();
    await waitFor('the gateway to produce again', async () => (await g.gateway.metric('fieldlink_kafka_produced_total')) > produced, { timeoutMs: 120_000, intervalMs: 200 });
    stop = true;
    await load;

    const checker = new TelemetryChecker(kafka.address, g.topic('telemetry'), 3);
    await checker.waitForAll(run.acked, 300_000);
    const delivery = checker.delivery(run.acked);
    const heapLimit = await g.gateway.metric('fieldlink_heap_limit_bytes');
    const spooled = await g.gateway.metric('fieldlink_spool_spooled_total');
    reportFault(
      `CoAP gateway (production bundle) in a ${MiB(LIMIT_BYTES)} cgroup, Kafka down ${DOWN_MS / 1000} s, ${DEVICES} devices at full speed`,
      run.sent,
      delivery,
      `answers ${JSON.stringify(Object.fromEntries(run.codes))}; spooled ${spooled}; peak RSS ${MiB(rss.peakBytes)}, cgroup peak ${MiB(cgroup.peakBytes)} (page cache included), heap limit ${MiB(heapLimit)}, OOM kills ${cgroup.oomKills}`,
    );
    expect(cgroup.oomKills).toBe(0);
    // Node sized its heap from the cgroup's limit, leaving room for buffers and the spool's page cache.
    expect(heapLimit).toBeLessThan(LIMIT_BYTES * 0.75);
    expect(g.gateway.running).toBe(true);
    expect(g.gateway.pid).toBe(pid);
    // The devices went on being answered (from the spool) through the outage.
    expect(answeredWhileDown - ackedAtKill).toBeGreaterThan(1000);
    expect(delivery.lost).toBe(0);
    expect(delivery.duplicatesAfterDedupe).toBe(0);
    expect(delivery.reordered).toBe(0);
  }, 900_000);
});
