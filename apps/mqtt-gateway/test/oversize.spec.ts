import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DeadLetter, type Telemetry } from '@fieldlink/schemas';
import {
  LocalService,
  MemoryCgroup,
  mosquittoPubLines,
  readTopic,
  RssSampler,
  run,
  type ServiceProcess,
  sharedInfra,
  startMqttGateway,
  waitForRecords,
} from '@fieldlink/testing';

const MiB = 1024 * 1024;
/** The Helm chart's memory limit for a gateway. */
const LIMIT_BYTES = 512 * MiB;
/** MQTT's largest packet is 256 MiB - 1 (Remaining Length); Mosquitto's default allows it. Room is left for the topic and properties. */
const LARGEST_PAYLOAD = 256 * MiB - 1 - 1024;
const DEAD_LETTER_MAX_BYTES = 1024 * 1024;
const NORMAL = 200;
/**
 * Each big publish: QoS 1 is redelivered after a crash (the crash loop of issue 31); QoS 0 takes
 * the other path in the ingress. The largest is about half the container's memory.
 */
const BIG = [
  { qos: 1, bytes: 50 * MiB },
  { qos: 1, bytes: LARGEST_PAYLOAD },
  { qos: 0, bytes: 50 * MiB },
];

/** A JSON reading of `size` bytes that would decode fine: only its size may keep it out of Kafka. */
function bigReading(dir: string, index: number, size: number): { file: string; start: Buffer } {
  const bytes = Buffer.alloc(size, 0x78);
  const head = Buffer.from(`{"temperature":21.5,"big":${index},"pad":"`);
  head.copy(bytes);
  bytes.write('"}', size - 2);
  const file = join(dir, `big-${index}.json`);
  writeFileSync(file, bytes);
  return { file, start: Buffer.from(bytes.subarray(0, DEAD_LETTER_MAX_BYTES)) };
}

async function publishFile(port: number, topic: string, qos: number, file: string): Promise<void> {
  const result = await run('mosquitto_pub', ['-p', String(port), '-q', String(qos), '-t', topic, '-f', file], { timeoutMs: 180_000 });
  if (result.code !== 0) throw new Error(`mosquitto_pub failed: ${result.stderr}`);
}

describe('mqtt-gateway oversized publishes', () => {
  let gateway: ServiceProcess | undefined;
  let mosquitto: LocalService | undefined;
  let cgroup: MemoryCgroup | undefined;
  let rss: RssSampler | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    rss?.stop();
    await gateway?.stop();
    await mosquitto?.dispose();
    cgroup?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each([5, 4])(
    'inside a 512 MiB memory cgroup, dead-letters 50 MB and 256 MB publishes with their real size, forwards none of them and every reading after them, in one process (MQTT protocol level %i)',
    async (protocolVersion) => {
      const infra = await sharedInfra();
      // A broker of its own: a quarter of a gigabyte through the shared one would slow every other test.
      mosquitto = await LocalService.mosquitto();
      cgroup = MemoryCgroup.create(LIMIT_BYTES);
      const mqttPort = mosquitto.port;
      const started = await startMqttGateway(infra, {
        mqttUrl: `mqtt://${mosquitto.address}`,
        cgroup,
        config: () => ({
          mqtt: { sessionExpirySeconds: 600, protocolVersion },
          ingest: { maxPayloadBytes: 256 * 1024, deadLetterMaxBytes: DEAD_LETTER_MAX_BYTES },
        }),
      });
      gateway = started.gateway;
      const pid = gateway.pid;
      rss = new RssSampler(() => pid);
      const device = `${started.root}-big`;
      const topic = `${started.root}/sensors/${device}/data`;
      dir = mkdtempSync(join(tmpdir(), 'fieldlink-oversize-'));

      const starts: Buffer[] = [];
      for (const [i, { qos, bytes }] of BIG.entries()) {
        const { file, start } = bigReading(dir, i, bytes);
        starts.push(start);
        await publishFile(mqttPort, topic, qos, file);
        rmSync(file);
      }
      await mosquittoPubLines(mqttPort, topic, Array.from({ length: NORMAL }, (_, seq) => JSON.stringify({ seq })));

      await waitForRecords(started.brokers, started.topic('telemetry'), NORMAL, 120_000);
      const letters = (await waitForRecords(started.brokers, started.topic('dead-letter'), BIG.length, 120_000)).map((r) => JSON.parse(r.payload ?? '') as DeadLetter);
      const readings = (await readTopic(started.brokers, started.topic('telemetry'))).map((r) => JSON.parse(r.payload ?? '') as Telemetry);

      expect(readings.map((t) => t.values['seq']?.value).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: NORMAL }, (_, seq) => seq));
      expect(readings.filter((t) => 'big' in t.values)).toEqual([]);
      expect(letters).toHaveLength(BIG.length);
      for (const letter of letters) {
        const kept = Buffer.from(letter.payload.data, 'base64');
        const index = Number(/"big":(\d+)/.exec(kept.subarray(0, 64).toString())?.[1]);
        expect(letter).toMatchObject({ deviceId: device, source: { ref: topic }, reason: { code: 'FL_DECODE_TOO_LARGE' }, payload: { size: BIG[index]?.bytes, truncated: true } });
        expect(kept.equals(starts[index] ?? Buffer.alloc(0))).toBe(true);
      }
      expect(new Set(letters.map((l) => l.payload.data.slice(0, 64))).size).toBe(BIG.length);

      expect(await gateway.metric('fieldlink_ingest_dead_lettered_total', { code: 'FL_DECODE_TOO_LARGE' })).toBe(BIG.length);
      expect(await gateway.metric('fieldlink_ingest_forwarded_total')).toBe(NORMAL);
      // The same process throughout, on the same connection: nothing crashed or closed it.
      expect(gateway.running).toBe(true);
      expect(gateway.pid).toBe(pid);
      expect(gateway.logs).not.toContain('MQTT connection closed');
      expect(cgroup.oomKills).toBe(0);
      process.stderr.write(`[oversize] MQTT ${protocolVersion === 5 ? '5' : '3.1.1'}: peak RSS ${(rss.peakBytes / MiB).toFixed(0)} MiB, cgroup peak ${(cgroup.peakBytes / MiB).toFixed(0)} MiB of ${LIMIT_BYTES / MiB}\n`);
    },
  );
});
