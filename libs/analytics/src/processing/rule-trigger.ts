import { type RuleConfig } from './processing-config';

/** A rule with its own action, fired for each metric series on its own (rules with decide are DeviceDecisions'). */
export type SeriesRule = RuleConfig & { action: string };

export function isSeriesRule(rule: RuleConfig): rule is SeriesRule {
  return rule.action !== undefined;
}

/**
 * Edge-triggered rules for one series: a rule fires when its condition becomes true and
 * re-arms once it is false again, so a device that stays hot gets one shutdown, not one per reading.
 */
export class RuleTrigger {
  private readonly active = new Set<string>();

  constructor(private readonly rules: SeriesRule[]) {}

  evaluate(value: number, score: number | undefined): SeriesRule[] {
    const fired: SeriesRule[] = [];
    for (const rule of this.rules) {
      const observed = rule.when === 'value' ? value : score;
      const holds = observed !== undefined && observed > rule.above;
      if (holds && !this.active.has(rule.name)) fired.push(rule);
      if (holds) this.active.add(rule.name);
      else this.active.delete(rule.name);
    }
    return fired;
  }
}
