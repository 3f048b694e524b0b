import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DeadLetter, type Telemetry } from '@fieldlink/schemas';
import { mosquittoPubLines, readTopic, run, type ServiceProcess, sharedInfra, startMqttGateway, waitForRecords } from '@fieldlink/testing';

const BIG_BYTES = 50 * 1024 * 1024;
const DEAD_LETTER_MAX_BYTES = 1024 * 1024;
const NORMAL = 200;
/** QoS of each big publish: QoS 1 is redelivered after a crash (the crash loop of issue 31); QoS 0 takes the other path in the ingress. */
const BIG_QOS = [1, 1, 0];

/** A 50 MB JSON reading that would decode fine: only its size may keep it out of Kafka. */
function bigReading(dir: string, index: number): { file: string; start: Buffer } {
  const bytes = Buffer.alloc(BIG_BYTES, 0x78);
  const head = Buffer.from(`{"temperature":21.5,"big":${index},"pad":"`);
  head.copy(bytes);
  bytes.write('"}', BIG_BYTES - 2);
  const file = join(dir, `big-${index}.json`);
  writeFileSync(file, bytes);
  return { file, start: Buffer.from(bytes.subarray(0, DEAD_LETTER_MAX_BYTES)) };
}

async function publishFile(port: number, topic: string, qos: number, file: string): Promise<void> {
  const result = await run('mosquitto_pub', ['-p', String(port), '-q', String(qos), '-t', topic, '-f', file], { timeoutMs: 120_000 });
  if (result.code !== 0) throw new Error(`mosquitto_pub failed: ${result.stderr}`);
}

describe('mqtt-gateway oversized publishes', () => {
  let gateway: ServiceProcess | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await gateway?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each([5, 4])(
    'dead-letters each 50 MB publish with its real size, forwards none of them and every reading after them, in one process (MQTT protocol level %i)',
    async (protocolVersion) => {
      const infra = await sharedInfra();
      const started = await startMqttGateway(infra, {
        config: () => ({
          mqtt: { sessionExpirySeconds: 600, protocolVersion },
          ingest: { maxPayloadBytes: 256 * 1024, deadLetterMaxBytes: DEAD_LETTER_MAX_BYTES },
        }),
      });
      gateway = started.gateway;
      const pid = gateway.pid;
      const device = `${started.root}-big`;
      const topic = `${started.root}/sensors/${device}/data`;
      dir = mkdtempSync(join(tmpdir(), 'fieldlink-oversize-'));

      const starts: Buffer[] = [];
      for (const [i, qos] of BIG_QOS.entries()) {
        const { file, start } = bigReading(dir, i);
        starts.push(start);
        await publishFile(infra.mqttPort, topic, qos, file);
        rmSync(file);
      }
      await mosquittoPubLines(infra.mqttPort, topic, Array.from({ length: NORMAL }, (_, seq) => JSON.stringify({ seq })));

      await waitForRecords(started.brokers, started.topic('telemetry'), NORMAL, 120_000);
      const letters = (await waitForRecords(started.brokers, started.topic('dead-letter'), BIG_QOS.length, 120_000)).map((r) => JSON.parse(r.payload ?? '') as DeadLetter);
      const readings = (await readTopic(started.brokers, started.topic('telemetry'))).map((r) => JSON.parse(r.payload ?? '') as Telemetry);

      expect(readings.map((t) => t.values['seq']?.value).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: NORMAL }, (_, seq) => seq));
      expect(readings.filter((t) => 'big' in t.values)).toEqual([]);
      expect(letters).toHaveLength(BIG_QOS.length);
      for (const letter of letters) {
        expect(letter).toMatchObject({ deviceId: device, source: { ref: topic }, reason: { code: 'FL_DECODE_TOO_LARGE' }, payload: { size: BIG_BYTES, truncated: true } });
        const kept = Buffer.from(letter.payload.data, 'base64');
        const index = Number(/"big":(\d+)/.exec(kept.subarray(0, 64).toString())?.[1]);
        expect(kept.equals(starts[index] ?? Buffer.alloc(0))).toBe(true);
      }
      expect(new Set(letters.map((l) => l.payload.data.slice(0, 64))).size).toBe(BIG_QOS.length);

      expect(await gateway.metric('fieldlink_ingest_dead_lettered_total', { code: 'FL_DECODE_TOO_LARGE' })).toBe(BIG_QOS.length);
      expect(await gateway.metric('fieldlink_ingest_forwarded_total')).toBe(NORMAL);
      // The same process throughout, on the same connection: nothing crashed or closed it.
      expect(gateway.running).toBe(true);
      expect(gateway.pid).toBe(pid);
      expect(gateway.logs).not.toContain('MQTT connection closed');
    },
  );
});
