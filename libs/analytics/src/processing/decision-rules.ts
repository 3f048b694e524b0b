import { type BranchConfig, type RuleConfig } from './processing-config';

export interface MetricReading {
  metric: string;
  value: number;
  score?: number;
}

export interface Decision {
  rule: RuleConfig;
  branch: BranchConfig;
  /** The reading of the metric that made the rule fire: the highest score (or value) above the threshold. */
  trigger: MetricReading;
}

/**
 * The rules with `decide`, for one device. A rule fires when its condition becomes true for any
 * of the device's metrics in a reading, and re-arms once a reading has it true for none; the
 * first branch whose `if` holds then gives the one command. So an anomaly on a hot device gets
 * `shutdown`, never `shutdown` and `throttle` in a race.
 */
export class DeviceDecisions {
  private readonly active = new Set<string>();

  constructor(private readonly rules: RuleConfig[]) {}

  /** `latest` gives the device's latest value of a metric, this reading's included. */
  evaluate(readings: MetricReading[], latest: (metric: string) => number | undefined): Decision[] {
    const decisions: Decision[] = [];
    for (const rule of this.rules) {
      const trigger = strongest(rule, readings);
      if (!trigger) {
        if (readings.some((r) => rule.metric === undefined || r.metric === rule.metric)) this.active.delete(rule.name);
        continue;
      }
      if (this.active.has(rule.name)) continue;
      this.active.add(rule.name);
      const branch = rule.decide?.find((b) => !b.if || (latest(b.if.metric) ?? Number.NEGATIVE_INFINITY) > b.if.above);
      if (branch) decisions.push({ rule, branch, trigger });
    }
    return decisions;
  }
}

function strongest(rule: RuleConfig, readings: MetricReading[]): MetricReading | undefined {
  let best: MetricReading | undefined;
  let bestObserved = rule.above;
  for (const reading of readings) {
    if (rule.metric !== undefined && reading.metric !== rule.metric) continue;
    const observed = rule.when === 'value' ? reading.value : reading.score;
    if (observed !== undefined && observed > bestObserved) [best, bestObserved] = [reading, observed];
  }
  return best;
}
