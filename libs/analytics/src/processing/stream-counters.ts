/** The counters PartitionProcessor bumps; prom-client Counters satisfy it, and so does a Tally. */
export interface StreamCounters {
  processed: { inc(value?: number): void };
  replayed: { inc(value?: number): void };
  rejected: { inc(labels: { code: string }, value?: number): void };
  windowsClosed: { inc(value?: number): void };
  alerts: { inc(labels: { state: string }, value?: number): void };
  commands: { inc(labels: { rule: string }, value?: number): void };
}

export interface TallySnapshot {
  processed: number;
  replayed: number;
  windowsClosed: number;
  rejected: Record<string, number>;
  alerts: Record<string, number>;
  commands: Record<string, number>;
}

/** Counts in a worker thread; the main thread adds each batch's snapshot to its Prometheus counters. */
export class Tally implements StreamCounters {
  private counts: TallySnapshot = Tally.empty();

  readonly processed = { inc: (n = 1) => void (this.counts.processed += n) };
  readonly replayed = { inc: (n = 1) => void (this.counts.replayed += n) };
  readonly windowsClosed = { inc: (n = 1) => void (this.counts.windowsClosed += n) };
  readonly rejected = { inc: (labels: { code: string }, n = 1) => Tally.add(this.counts.rejected, labels.code, n) };
  readonly alerts = { inc: (labels: { state: string }, n = 1) => Tally.add(this.counts.alerts, labels.state, n) };
  readonly commands = { inc: (labels: { rule: string }, n = 1) => Tally.add(this.counts.commands, labels.rule, n) };

  /** The counts since the last call. */
  take(): TallySnapshot {
    const counts = this.counts;
    this.counts = Tally.empty();
    return counts;
  }

  static addTo(target: StreamCounters, counts: TallySnapshot): void {
    if (counts.processed) target.processed.inc(counts.processed);
    if (counts.replayed) target.replayed.inc(counts.replayed);
    if (counts.windowsClosed) target.windowsClosed.inc(counts.windowsClosed);
    for (const [code, n] of Object.entries(counts.rejected)) target.rejected.inc({ code }, n);
    for (const [state, n] of Object.entries(counts.alerts)) target.alerts.inc({ state }, n);
    for (const [rule, n] of Object.entries(counts.commands)) target.commands.inc({ rule }, n);
  }

  private static add(counts: Record<string, number>, key: string, n: number): void {
    counts[key] = (counts[key] ?? 0) + n;
  }

  private static empty(): TallySnapshot {
    return { processed: 0, replayed: 0, windowsClosed: 0, rejected: {}, alerts: {}, commands: {} };
  }
}
