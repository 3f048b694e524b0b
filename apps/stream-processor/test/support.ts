import { randomUUID } from 'node:crypto';
import { type Infra, type KafkaRecord, ServiceProcess, freshName, readTopic, run, writeConfig } from '@fieldlink/testing';

export interface ProcessorRun {
  root: string;
  prefix: string;
  groupId: string;
  topic(name: string): string;
  brokers: string;
  configPath: string;
  start(): Promise<ServiceProcess>;
}

/** A fresh topic prefix and consumer group; `start()` launches one built stream-processor on them. */
export function processorRun(infra: Infra, config: Record<string, unknown> = {}): ProcessorRun {
  const root = freshName('sp');
  const prefix = `${root}.`;
  const groupId = `${root}-group`;
  const configPath = writeConfig({ topics: { partitions: 6 }, ...config, processor: { groupId, ...((config['processor'] as object) ?? {}) } });
  let instance = 0;
  return {
    root,
    prefix,
    groupId,
    brokers: infra.kafkaBrokers,
    configPath,
    topic: (name) => `${prefix}${name}`,
    start: () =>
      ServiceProcess.start('stream-processor', {
        FIELDLINK_CONFIG: configPath,
        KAFKA_BROKERS: infra.kafkaBrokers,
        TOPIC_PREFIX: prefix,
        GATEWAY_INSTANCE_ID: `${root}-${instance++}`,
        LOG_LEVEL: 'info',
      }),
  };
}

export interface Reading {
  deviceId: string;
  /** ms since the epoch */
  time: number;
  values: Record<string, number>;
  id?: string;
}

export function telemetry(r: Reading): string {
  return JSON.stringify({
    schemaVersion: 1,
    id: r.id ?? randomUUID(),
    deviceId: r.deviceId,
    eventTime: new Date(r.time).toISOString(),
    receiveTime: new Date(r.time).toISOString(),
    source: { protocol: 'mqtt', gateway: 'test', ref: `sensors/${r.deviceId}/data` },
    values: Object.fromEntries(Object.entries(r.values).map(([k, v]) => [k, { value: v }])),
  });
}

/** Produces keyed records with kcat (librdkafka, not our code), in the order given. */
export async function produceAll(brokers: string, topic: string, records: { key: string; value: string }[]): Promise<void> {
  for (let i = 0; i < records.length; i += 20_000) {
    const lines = records.slice(i, i + 20_000).map((r) => `${r.key}\t${r.value}`);
    const result = await run('kcat', ['-b', brokers, '-P', '-t', topic, '-K', '\t', '-X', 'linger.ms=5'], { input: lines.join('\n') + '\n', timeoutMs: 120_000 });
    if (result.code !== 0) throw new Error(`kcat produce failed: ${result.stderr.trim()}`);
  }
}

export function readings(rs: Reading[]): { key: string; value: string }[] {
  return rs.map((r) => ({ key: r.deviceId, value: telemetry(r) }));
}

export async function readJson<T>(brokers: string, topic: string): Promise<T[]> {
  return (await readTopic(brokers, topic)).map((r: KafkaRecord) => JSON.parse(r.payload ?? 'null') as T);
}

export interface WindowStatsOut {
  schemaVersion: number;
  id: string;
  deviceId: string;
  metric: string;
  window: { start: string; end: string; sizeMs: number; advanceMs: number };
  count: number;
  mean: number;
  min: number;
  max: number;
  stddev: number;
  firstEventTime: string;
  lastEventTime: string;
}

/**
 * The windows a correct processor must emit, computed the plain way: every aligned window that
 * holds at least one reading and whose end the series' watermark (latest event time − grace) has reached.
 */
export function referenceWindows(rs: Reading[], spec: { sizeMs: number; advanceMs: number; graceMs: number }): Map<string, Omit<WindowStatsOut, 'id'>> {
  const bySeries = new Map<string, Reading[]>();
  for (const r of rs) for (const metric of Object.keys(r.values)) {
    const key = `${r.deviceId}|${metric}`;
    bySeries.set(key, [...(bySeries.get(key) ?? []), r]);
  }
  const out = new Map<string, Omit<WindowStatsOut, 'id'>>();
  for (const [key, series] of bySeries) {
    const [deviceId = '', metric = ''] = key.split('|');
    const watermark = Math.max(...series.map((r) => r.time)) - spec.graceMs;
    const starts = new Set(series.flatMap((r) => {
      const s: number[] = [];
      for (let start = Math.floor(r.time / spec.advanceMs) * spec.advanceMs; start > r.time - spec.sizeMs; start -= spec.advanceMs) s.push(start);
      return s;
    }));
    for (const start of starts) {
      const end = start + spec.sizeMs;
      if (end > watermark) continue;
      const inside = series.filter((r) => r.time >= start && r.time < end);
      const values = inside.map((r) => r.values[metric] ?? 0);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      out.set(`${deviceId}|${metric}|${start}|${spec.sizeMs}`, {
        schemaVersion: 1,
        deviceId,
        metric,
        window: { start: new Date(start).toISOString(), end: new Date(end).toISOString(), sizeMs: spec.sizeMs, advanceMs: spec.advanceMs },
        count: values.length,
        mean,
        min: Math.min(...values),
        max: Math.max(...values),
        stddev: Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length),
        firstEventTime: new Date(Math.min(...inside.map((r) => r.time))).toISOString(),
        lastEventTime: new Date(Math.max(...inside.map((r) => r.time))).toISOString(),
      });
    }
  }
  return out;
}

export const windowKey = (w: Omit<WindowStatsOut, 'id'>): string => `${w.deviceId}|${w.metric}|${Date.parse(w.window.start)}|${w.window.sizeMs}`;

/** Asserts emitted windows equal the reference exactly once per id; returns how many raw duplicates there were. */
export function compareWindows(emitted: WindowStatsOut[], reference: Map<string, Omit<WindowStatsOut, 'id'>>): number {
  const byId = new Map<string, WindowStatsOut>();
  let duplicates = 0;
  for (const w of emitted) {
    const seen = byId.get(w.id);
    if (seen) {
      duplicates++;
      expect(w).toEqual(seen);
    }
    byId.set(w.id, w);
  }
  const got = new Map([...byId.values()].map((w) => [windowKey(w), w]));
  expect([...got.keys()].sort()).toEqual([...reference.keys()].sort());
  for (const [key, want] of reference) {
    const { id, mean, stddev, ...exact } = got.get(key) as WindowStatsOut;
    expect(id).toMatch(/^ws-/);
    const { mean: wantMean, stddev: wantStddev, ...wantExact } = want;
    expect(exact).toEqual(wantExact);
    expect(mean).toBeCloseTo(wantMean, 9);
    expect(stddev).toBeCloseTo(wantStddev, 9);
  }
  return duplicates;
}
