import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { type Alert, type Command, type CommandResult, type TopicMap } from '@fieldlink/schemas';
import { ANOMALY_LINE } from '../simulators/telemetry';

/** Which Prometheus counters mean in, out, dead letters and spool depth for one service. */
export interface ServiceMetrics {
  in: string;
  out: string;
  deadLetters: string;
  spool?: string;
}

export const GATEWAY_METRICS: ServiceMetrics = {
  in: 'fieldlink_ingest_received_total',
  out: 'fieldlink_ingest_forwarded_total',
  deadLetters: 'fieldlink_ingest_dead_lettered_total',
  spool: 'fieldlink_spool_records',
};

export const PROCESSOR_METRICS: ServiceMetrics = {
  in: 'fieldlink_stream_records_processed_total',
  out: 'fieldlink_kafka_produced_total',
  deadLetters: 'fieldlink_stream_records_rejected_total',
};

export interface ServiceRow {
  name: string;
  state: string;
  inPerSec: number;
  outPerSec: number;
  inTotal: number;
  deadLetters: number;
  spool: number | null;
}

export interface Anomaly {
  at: string;
  simulator: string;
  n: number;
  kind: string;
  deviceId: string;
  metric: string;
  what: string;
}

export interface CommandRow {
  at: string;
  command: Command;
  result?: CommandResult;
}

export interface Snapshot {
  startedAt: string;
  readyAt: string | null;
  services: ServiceRow[];
  anomalies: Anomaly[];
  alerts: Alert[];
  commands: CommandRow[];
  children: { name: string; pid: number | undefined; running: boolean }[];
}

/** Sums the samples of every metric in a Prometheus text exposition. */
export function parseMetrics(text: string): Map<string, number> {
  const totals = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const name = line.slice(0, line.search(/[{ ]/));
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) totals.set(name, (totals.get(name) ?? 0) + value);
  }
  return totals;
}

/** Polls one service's /health/ready and /metrics and keeps five seconds of totals for its rates. */
export class ServiceProbe {
  private history: { at: number; in: number; out: number }[] = [];
  row: ServiceRow;

  constructor(
    readonly name: string,
    private readonly httpPort: number,
    private readonly metrics: ServiceMetrics,
    private readonly running: () => boolean,
  ) {
    this.row = { name, state: 'starting', inPerSec: 0, outPerSec: 0, inTotal: 0, deadLetters: 0, spool: null };
  }

  async poll(): Promise<void> {
    if (!this.running()) {
      this.row = { ...this.row, state: 'exited', inPerSec: 0, outPerSec: 0 };
      return;
    }
    try {
      const signal = AbortSignal.timeout(900);
      const [ready, body] = await Promise.all([
        fetch(`http://127.0.0.1:${this.httpPort}/health/ready`, { signal }).then((r) => r.status === 200),
        fetch(`http://127.0.0.1:${this.httpPort}/metrics`, { signal }).then((r) => r.text()),
      ]);
      const totals = parseMetrics(body);
      const now = Date.now();
      const sample = { at: now, in: totals.get(this.metrics.in) ?? 0, out: totals.get(this.metrics.out) ?? 0 };
      this.history = [...this.history.filter((h) => now - h.at <= 5500), sample];
      const first = this.history[0] ?? sample;
      const seconds = (now - first.at) / 1000;
      this.row = {
        name: this.name,
        state: ready ? 'ready' : 'not ready',
        inPerSec: seconds > 0 ? (sample.in - first.in) / seconds : 0,
        outPerSec: seconds > 0 ? (sample.out - first.out) / seconds : 0,
        inTotal: sample.in,
        deadLetters: totals.get(this.metrics.deadLetters) ?? 0,
        spool: this.metrics.spool ? (totals.get(this.metrics.spool) ?? 0) : null,
      };
    } catch {
      this.row = { ...this.row, state: 'no answer' };
    }
  }
}

export const KEEP = 6;

/**
 * Follows alerts, commands and command results in Kafka from now on (with kcat, one per topic,
 * over the PLAINTEXT listener local tools use), and the simulators' anomaly lines.
 */
export class EventFeed {
  readonly anomalies: Anomaly[] = [];
  readonly alerts: Alert[] = [];
  private readonly commands = new Map<string, CommandRow>();
  private readonly results = new Map<string, CommandResult>();
  private readonly followers = new Set<ChildProcess>();
  private stopped = false;

  constructor(
    private readonly brokers: string,
    private readonly topics: TopicMap,
  ) {}

  /** Start once the services have created the topics: kcat gives up on a topic that does not exist. */
  start(): void {
    for (const topic of [this.topics.alerts, this.topics.commands, this.topics['command-results']]) this.follow(topic);
  }

  stop(): void {
    this.stopped = true;
    for (const kcat of this.followers) kcat.kill();
  }

  private follow(topic: string): void {
    const kcat = spawn('kcat', ['-b', this.brokers, '-C', '-t', topic, '-o', 'end', '-u', '-q', '-f', '%s\\n'], { stdio: ['ignore', 'pipe', 'ignore'] });
    createInterface({ input: kcat.stdout }).on('line', (line) => {
      try {
        this.record(topic, JSON.parse(line) as unknown);
      } catch {
        // not JSON: the services dead-letter such records themselves; the view skips them
      }
    });
    this.followers.add(kcat);
    kcat.once('exit', () => {
      this.followers.delete(kcat);
      if (!this.stopped) setTimeout(() => this.follow(topic), 2000).unref();
    });
  }

  /** A simulator's stdout line; only its labelled anomalies are kept. */
  simulatorLine(simulator: string, line: string): void {
    const match = ANOMALY_LINE.exec(line);
    if (!match) return;
    const [, n, kind, deviceId, metric, what] = match;
    push(this.anomalies, { at: new Date().toISOString(), simulator, n: Number(n), kind: kind ?? '', deviceId: deviceId ?? '', metric: metric ?? '', what: what ?? '' }, 50);
  }

  get commandRows(): CommandRow[] {
    return [...this.commands.values()].map((row) => {
      const result = this.results.get(row.command.id);
      return result ? { ...row, result } : row;
    });
  }

  private record(topic: string, value: unknown): void {
    if (topic === this.topics.alerts) push(this.alerts, value as Alert, 50);
    else if (topic === this.topics.commands) {
      const command = value as Command;
      this.commands.set(command.id, { at: new Date().toISOString(), command });
      if (this.commands.size > 50) this.commands.delete(this.commands.keys().next().value ?? '');
    } else {
      const result = value as CommandResult;
      // The last word counts: delivered may be followed by succeeded or failed.
      this.results.set(result.id, result);
      if (this.results.size > 200) this.results.delete(this.results.keys().next().value ?? '');
    }
  }
}

function push<T>(list: T[], item: T, keep: number): void {
  list.push(item);
  if (list.length > keep) list.splice(0, list.length - keep);
}

/**
 * The alert an injected anomaly caused: raised on its device and metric (the silence alert, for a
 * dropout) from its start to a few minutes after.
 */
export function alertFor(anomaly: Anomaly, alerts: Alert[]): Alert | undefined {
  const at = Date.parse(anomaly.at);
  const dropout = anomaly.kind === 'dropout';
  const within = dropout ? 480_000 : 180_000;
  return alerts.find((a) => {
    const delay = Date.parse(a.eventTime) - at;
    return a.state === 'raised' && a.deviceId === anomaly.deviceId && a.metric === (dropout ? 'silence' : anomaly.metric) && delay > -2000 && delay < within;
  });
}
