import { type Metric, type Registry } from 'prom-client';

/** A series as prom-client's registry renders it. */
interface Series {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
}

/** One label value's counts: a plain array the hot path bumps. */
export class HistogramTally {
  /** Observations at or below bounds[i] and above bounds[i - 1]; the last slot is above every bound. */
  readonly counts: number[];
  sum = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(value: number): void {
    let i = 0;
    while (i < this.bounds.length && value > (this.bounds[i])) i++;
    this.counts[i] = (this.counts[i]) + 1;
    this.sum += value;
  }
}

/**
 * A Prometheus histogram with one label, exposed as prom-client's Histogram exposes one
 * (`_bucket` with `le`, `_sum`, `_count`). prom-client's observe hashes and checks the labels
 * on every call, which cost the MQTT gateway about 2% of its CPU: here each label value has
 * its own tally, and the series are made only when scraped.
 */
export class TalliedHistogram<L extends string> {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly tallies = new Map<string, HistogramTally>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelName: L,
    private readonly bounds: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  /** The tally of one label value; label values must come from a small set (mapping names). */
  of(labelValue: string): HistogramTally {
    let tally = this.tallies.get(labelValue);
    if (!tally) this.tallies.set(labelValue, (tally = new HistogramTally(this.bounds)));
    return tally;
  }

  /** What prom-client's registry reads when scraped (the type as text, as it prints it). */
  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Series[] }> {
    const values: Series[] = [];
    for (const [labelValue, tally] of this.tallies) {
      const labels = { [this.labelName]: labelValue };
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += tally.counts[i];
        values.push({ labels: { le, ...labels }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      const count = cumulative + (tally.counts[this.bounds.length]);
      values.push({ labels: { le: '+Inf', ...labels }, value: count, metricName: `${this.name}_bucket` });
      values.push({ labels, value: tally.sum, metricName: `${this.name}_sum` });
      values.push({ labels, value: count, metricName: `${this.name}_count` });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator });
  }

  reset(): void {
    this.tallies.clear();
  }
}
