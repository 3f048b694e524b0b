/**
 * Realistic telemetry for the simulators, and the anomalies they inject. A metric follows a daily
 * cycle, drifts slowly and carries Gaussian sensor noise; an injected anomaly changes one metric
 * of one device (or silences the device) for a while, and is announced on stdout as
 *   [anomaly] #<n> <kind> on <deviceId> <metric>: <what>
 * so the live view of `npm start`, and anyone reading the log, can tell injected from organic.
 */

export interface MetricSpec {
  base: number;
  /** Amplitude of the daily cycle. */
  daily: number;
  /** Standard deviation of the sensor noise. */
  noise: number;
  /** Largest random-walk step per reading. */
  drift: number;
  /** Physical floor, e.g. 0 for a vibration amplitude. */
  min?: number;
}

export const ANOMALY_KINDS = ['spike', 'level-shift', 'stuck', 'drift', 'noise-burst', 'dropout'] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

/** How long each kind lasts; a dropout outlasts the stream processor's default silence limit (5 min). */
export const ANOMALY_DURATION_MS: Record<AnomalyKind, number> = {
  spike: 1000,
  'level-shift': 60_000,
  stuck: 60_000,
  drift: 90_000,
  'noise-burst': 30_000,
  dropout: 360_000,
};

interface ActiveAnomaly {
  kind: AnomalyKind;
  metric: string;
  /** Readings left; the anomaly ends at 0. */
  remaining: number;
  total: number;
  stuckAt?: number;
}

/** Mulberry32: a small seeded generator, so a run's anomalies can be replayed with --seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class SimulatedDevice {
  private readonly drift = new Map<string, number>();
  private anomaly: ActiveAnomaly | undefined;
  /** Until this time (ms) the device sends nothing: shut down by a command. */
  private stoppedUntil = 0;

  constructor(
    readonly id: string,
    readonly metrics: Record<string, MetricSpec>,
    private readonly random: () => number,
  ) {}

  /** The next reading, or null while the device is silent (dropout, or shut down). */
  reading(now: number): Record<string, number> | null {
    const anomaly = this.anomaly;
    if (anomaly && --anomaly.remaining <= 0) this.anomaly = undefined;
    if (now < this.stoppedUntil || anomaly?.kind === 'dropout') return null;
    const hourAngle = ((now / 3_600_000) % 24) * (Math.PI / 12);
    const values: Record<string, number> = {};
    for (const [metric, spec] of Object.entries(this.metrics)) {
      const drift = (this.drift.get(metric) ?? 0) + (this.random() - 0.5) * 2 * spec.drift;
      this.drift.set(metric, drift);
      let noise = spec.noise * this.gaussian();
      let value = spec.base + spec.daily * Math.sin(hourAngle) + drift;
      if (anomaly?.metric === metric) [value, noise] = this.distort(anomaly, spec, value, noise);
      values[metric] = round(Math.max(value + noise, spec.min ?? Number.NEGATIVE_INFINITY));
    }
    return values;
  }

  get silent(): boolean {
    return this.anomaly?.kind === 'dropout';
  }

  /** Starts an anomaly on `metric`; returns what it does, for the log line. */
  inject(kind: AnomalyKind, metric: string, intervalMs: number): string {
    const spec = this.metrics[metric];
    if (!spec) throw new Error(`${this.id} has no metric ${metric}`);
    const total = Math.max(1, Math.round(ANOMALY_DURATION_MS[kind] / intervalMs));
    this.anomaly = { kind, metric, remaining: total + 1, total };
    const sigma = spec.noise;
    switch (kind) {
      case 'spike':
        return `${sign(spikeSize(spec))} for 1 reading`;
      case 'level-shift':
        return `${sign(12 * sigma)} for ${total} readings`;
      case 'stuck':
        return `value frozen for ${total} readings`;
      case 'drift':
        return `ramp to ${sign(20 * sigma)} over ${total} readings`;
      case 'noise-burst':
        return `noise x8 for ${total} readings`;
      case 'dropout':
        return `device silent for ${total} readings`;
    }
  }

  /** A command the device obeys: shutdown stops it for `restartAfterMs`, then it comes back as it was. */
  stop(now: number, restartAfterMs: number): void {
    this.stoppedUntil = now + restartAfterMs;
    this.anomaly = undefined;
  }

  private distort(anomaly: ActiveAnomaly, spec: MetricSpec, value: number, noise: number): [number, number] {
    const elapsed = anomaly.total - anomaly.remaining + 1;
    switch (anomaly.kind) {
      case 'spike':
        return [value + spikeSize(spec), noise];
      case 'level-shift':
        return [value + 12 * spec.noise, noise];
      case 'stuck':
        anomaly.stuckAt ??= value + noise;
        return [anomaly.stuckAt, 0];
      case 'drift':
        return [value + (20 * spec.noise * elapsed) / anomaly.total, noise];
      case 'noise-burst':
        return [value, noise * 8];
      case 'dropout':
        return [value, noise];
    }
  }

  private gaussian(): number {
    return Math.sqrt(-2 * Math.log(1 - this.random())) * Math.cos(2 * Math.PI * this.random());
  }
}

/** Big enough to be unmistakable on the gauge: 100 sigma, or the metric's base for a spike on a quiet gauge. */
function spikeSize(spec: MetricSpec): number {
  return Math.max(100 * spec.noise, Math.abs(spec.base) * 0.5);
}

function sign(value: number): string {
  return `${value >= 0 ? '+' : ''}${round(value)}`;
}

export function round(value: number): number {
  return Math.round(value * 100) / 100;
}

export interface AnomalySchedule {
  /** The first injection, after the detectors have warmed up. */
  firstAfterMs: number;
  everyMs: number;
  /** The first injection is a spike on this metric, the one a rule acts on. */
  firstMetric: string;
}

/**
 * Injects one anomaly every `everyMs` into a random device of the fleet; the first is a spike,
 * the rest are drawn from every kind. Each is printed as a labelled line.
 */
export class AnomalyInjector {
  private count = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly devices: SimulatedDevice[],
    private readonly schedule: AnomalySchedule,
    private readonly intervalMs: number,
    private readonly random: () => number,
  ) {}

  start(): void {
    this.timer = setTimeout(() => {
      this.inject();
      this.timer = setInterval(() => this.inject(), this.schedule.everyMs);
    }, this.schedule.firstAfterMs);
  }

  stop(): void {
    clearTimeout(this.timer);
    clearInterval(this.timer);
  }

  private inject(): void {
    const first = this.count === 0;
    const device = this.pick(this.devices);
    const kind: AnomalyKind = first ? 'spike' : this.pick([...ANOMALY_KINDS]);
    const metrics = Object.keys(device.metrics);
    const metric = first && metrics.includes(this.schedule.firstMetric) ? this.schedule.firstMetric : this.pick(metrics);
    const what = device.inject(kind, metric, this.intervalMs);
    console.log(`[anomaly] #${++this.count} ${kind} on ${device.id} ${metric}: ${what}`);
  }

  private pick<T>(items: T[]): T {
    const item = items[Math.floor(this.random() * items.length)];
    if (item === undefined) throw new Error('nothing to pick from');
    return item;
  }
}

export const ANOMALY_LINE = /^\[anomaly\] #(\d+) (\S+) on (\S+) (\S+): (.*)$/;
