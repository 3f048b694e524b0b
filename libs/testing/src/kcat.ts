import { run } from './processes';
import { waitFor } from './wait-for';

export interface KafkaRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  payload: string | null;
}

/**
 * Reads a whole topic with kcat (librdkafka, not our code), from the beginning
 * to the current end.
 */
export async function readTopic(brokers: string, topic: string): Promise<KafkaRecord[]> {
  const result = await run('kcat', ['-b', brokers, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-J'], {
    timeoutMs: 120_000,
  });
  if (result.code !== 0) throw new Error(`kcat failed on ${topic}: ${result.stderr.trim()}`);
  return result.stdout
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as KafkaRecord);
}

/** Reads the topic until it holds at least `count` records, or fails at the deadline. */
export function waitForRecords(brokers: string, topic: string, count: number, timeoutMs = 60_000): Promise<KafkaRecord[]> {
  return waitFor(
    `${count} records in ${topic}`,
    async () => {
      const records = await readTopic(brokers, topic);
      return records.length >= count ? records : undefined;
    },
    { timeoutMs, intervalMs: 500 },
  );
}

/** Produces records in one kcat run, so a consumer fetches them together. Keys and values hold no tab or newline. */
export async function produceAll(brokers: string, topic: string, records: [key: string, value: string][]): Promise<void> {
  const input = records.map(([key, value]) => `${key}\t${value}`).join('\n');
  const result = await run('kcat', ['-b', brokers, '-P', '-t', topic, '-K', '\t'], { input: `${input}\n`, timeoutMs: 30_000 });
  if (result.code !== 0) throw new Error(`kcat produce failed: ${result.stderr.trim()}`);
}

/** Produces one record with kcat. */
export async function produce(brokers: string, topic: string, key: string, value: string): Promise<void> {
  const result = await run('kcat', ['-b', brokers, '-P', '-t', topic, '-k', key], { input: value, timeoutMs: 30_000 });
  if (result.code !== 0) throw new Error(`kcat produce failed: ${result.stderr.trim()}`);
}
