import { ContextMemory } from './context-memory';
import { type Detection, type Detector } from './detector';

export interface CadOptions {
  /** Bits of the value code: the range is cut into 2^bits − 1 steps. */
  bits: number;
  /**
   * The range the code spans. NAB hands every detector the file's minimum and maximum; a live
   * series does not know them, so without both the range is taken from the first
   * `learningPeriod` readings, which are then replayed and score 0.
   */
  rangeMin?: number;
  rangeMax?: number;
  learningPeriod: number;
  /** A raw score at or above `restThreshold` makes the next `restPeriod` readings resting. */
  restThreshold: number;
  restPeriod: number;
  /** Longest left half derived from an overlap. */
  maxLeftFacts: number;
  /** Active contexts carried into the next step's facts. */
  maxActiveContexts: number;
}

const BELOW_FACT = 1 << 20;
const ABOVE_FACT = BELOW_FACT + 1;
const CONTEXT_FACT_BASE = 1 << 21;

/**
 * Contextual Anomaly Detector (CAD OSE, after M. Smirnov's open-source edition, NAB's
 * "contextOSE"). A reading is coded as a few bit facts; each step learns which facts follow
 * which (plus the contexts that were active), and the score is the share of selected contexts
 * that failed to predict the reading, plus the share of newly learnt ones, halved. Memory grows
 * with the variety of the series, not its length, and is not bounded.
 */
export class CadDetector implements Detector {
  private readonly memory: ContextMemory;
  private readonly learning: number[] = [];
  private low = 0;
  private step = 1;
  private ready = false;
  private leftFacts: number[] = [];
  private predicted = new Set<number>();
  private seen = 0;
  /** The reading whose raw score last reached `restThreshold`; reading 0 stands for the start. */
  private lastHigh = 0;

  constructor(private readonly options: CadOptions) {
    this.memory = new ContextMemory(options.maxLeftFacts);
    if (options.rangeMin !== undefined && options.rangeMax !== undefined) this.setRange(options.rangeMin, options.rangeMax);
  }

  get contexts(): number {
    return this.memory.size;
  }

  update(value: number): Detection {
    if (this.ready) return this.score(value);
    this.learning.push(value);
    if (this.learning.length >= this.options.learningPeriod) {
      this.setRange(Math.min(...this.learning), Math.max(...this.learning));
      for (const v of this.learning.splice(0)) this.score(v);
    }
    return { score: 0 };
  }

  private setRange(min: number, max: number): void {
    const steps = 2 ** this.options.bits - 1;
    this.low = min;
    this.step = (max - min || steps) / steps;
    this.ready = true;
  }

  private score(value: number): Detection {
    this.seen++;
    const facts = this.encode(value);
    const surprised = facts.some((fact) => !this.predicted.has(fact));
    const { unpredicted, novel } = this.learn(facts);
    const raw = surprised ? (unpredicted + novel) / 2 : 0;
    const resting = this.lastHigh >= this.seen - this.options.restPeriod;
    if (raw >= this.options.restThreshold) this.lastHigh = this.seen;
    return resting ? { score: raw, resting: true } : { score: raw };
  }

  /**
   * Bit i of the step index becomes fact 2i + bit. A reading outside the range takes the
   * nearest end plus a fact of its own, so the alphabet stays small and a live series'
   * excursions beyond its first readings stay distinguishable.
   */
  private encode(value: number): number[] {
    const top = 2 ** this.options.bits - 1;
    const level = Math.trunc((value - this.low) / this.step);
    const clamped = Math.min(Math.max(level, 0), top);
    const facts: number[] = [];
    for (let i = 0; i < this.options.bits; i++) facts.push(2 * i + (Math.floor(clamped / 2 ** i) % 2));
    if (level < 0) facts.push(BELOW_FACT);
    if (level > top) facts.push(ABOVE_FACT);
    return facts;
  }

  /** One step of the context memory; returns the two shares the raw score is made of. */
  private learn(facts: number[]): { unpredicted: number; novel: number } {
    const candidates = new Set<string>();
    let transitionIsNew = false;
    if (this.leftFacts.length > 0) {
      transitionIsNew = this.memory.recordTransition(this.leftFacts, facts);
      candidates.add(`${this.leftFacts.join(',')}|${facts.join(',')}`);
    }
    const match = this.memory.matchRight(facts, transitionIsNew);
    for (const [left, right] of match.candidates) candidates.add(`${left.join(',')}|${right.join(',')}`);
    const strongest = match.active
      .sort((a, b) => a.activations - b.activations || a.id - b.id)
      .slice(-this.options.maxActiveContexts)
      .map((context) => CONTEXT_FACT_BASE + context.id);
    this.leftFacts = [...facts, ...strongest].sort((a, b) => a - b);
    const { added, predicted } = this.memory.matchLeft(this.leftFacts, match.candidates);
    this.predicted = predicted;
    const unpredicted = match.selected > 0 ? 1 - match.active.length / match.selected : 1;
    const novel = transitionIsNew ? (added + 1) / candidates.size : 0;
    return { unpredicted, novel };
  }
}
