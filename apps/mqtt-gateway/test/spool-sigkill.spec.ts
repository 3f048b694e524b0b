import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Telemetry } from '@fieldlink/schemas';
import { freshName, LocalService, mosquittoPubLines, type ServiceProcess, sharedInfra, startMqttGateway, waitFor, waitForRecords } from '@fieldlink/testing';

const DEVICES = 10;
const PER_DEVICE = Number(process.env['PER_DEVICE'] ?? 5000);
const SPOOLED = DEVICES * PER_DEVICE;

describe('mqtt-gateway durable spool', () => {
  let kafka: LocalService | undefined;
  let gateway: ServiceProcess | undefined;
  afterEach(async () => {
    await gateway?.kill();
    await kafka?.dispose();
  });

  it('keeps 50,000 messages spooled while Kafka is down through a gateway SIGKILL, and delivers them all in per-device order', async () => {
    const infra = await sharedInfra();
    kafka = await LocalService.kafka();
    const spoolDir = mkdtempSync(join(tmpdir(), 'fieldlink-spool-'));
    const started = await startMqttGateway(infra, { brokers: kafka.address, clientId: freshName('spool'), config: () => ({ spool: { dir: spoolDir } }) });
    gateway = started.gateway;
    const running = gateway;

    // Kafka goes away; the first message finds out (the producer fails), and from then on
    // everything is spooled and acknowledged once on disk.
    await kafka.kill();
    await mosquittoPubLines(infra.mqttPort, `${started.root}/sensors/trigger/data`, ['{"seq":-1}']);
    await waitFor('the producer to notice Kafka is down', async () => (await running.metric('fieldlink_kafka_send_failures_total')) >= 1, { timeoutMs: 60_000 });

    await Promise.all(
      Array.from({ length: DEVICES }, (_, d) =>
        mosquittoPubLines(infra.mqttPort, `${started.root}/sensors/dev-${d}/data`, Array.from({ length: PER_DEVICE }, (_, i) => JSON.stringify({ seq: i }))),
      ),
    );
    // The broker acknowledged mosquitto_pub, not the gateway; wait until the gateway has spooled
    // every message, the trigger included (it moved from the stuck producer to the spool).
    await waitFor('all 50,000 spooled', async () => (await running.metric('fieldlink_spool_records')) >= SPOOLED + 1, { timeoutMs: 120_000, intervalMs: 500 });
    expect(await running.metric('fieldlink_kafka_produced_total')).toBe(0);

    await running.kill();
    await kafka.start();
    await running.spawn();

    const records = await waitForRecords(started.brokers, started.topic('telemetry'), SPOOLED + 1, 180_000);
    await waitFor('the spool to be replayed', async () => (await running.metric('fieldlink_spool_records')) === 0, { timeoutMs: 60_000 });
    // At least once: a replay may repeat records (same ids), never skip one.
    const replayed = await running.metric('fieldlink_spool_replayed_total');
    expect(replayed).toBeGreaterThanOrEqual(SPOOLED + 1);
    if (replayed > SPOOLED + 1) {
      // Seen once in CI and not explained yet: keep the evidence.
      const received = await running.metric('fieldlink_ingest_received_total');
      console.log(`spool test: replayed ${replayed} for ${SPOOLED + 1} spooled; received after restart ${received}\n${running.logs.split('\n').filter((l) => /spool|replay|Kafka/.test(l)).slice(-40).join('\n')}`);
    }
    const seqs = new Map<string, number[]>();
    const ids = new Set<string>();
    for (const r of await waitForRecords(started.brokers, started.topic('telemetry'), records.length, 10_000)) {
      const t = JSON.parse(r.payload ?? '') as Telemetry;
      if (ids.has(t.id)) continue; // an at-least-once duplicate: same envelope, same id
      ids.add(t.id);
      seqs.set(t.deviceId, [...(seqs.get(t.deviceId) ?? []), t.values['seq']?.value as number]);
    }
    expect(ids.size).toBe(SPOOLED + 1);
    console.log(`spool test: ${SPOOLED + 1} spooled, ${replayed} replayed, ${records.length - ids.size} raw duplicates in Kafka`);
    const inOrder = Array.from({ length: PER_DEVICE }, (_, i) => i);
    for (let d = 0; d < DEVICES; d++) expect(seqs.get(`dev-${d}`)).toEqual(inOrder);
  });
});
