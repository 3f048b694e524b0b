import { AnomalyLikelihood, type LikelihoodOptions } from './anomaly-likelihood';
import { type Detection, type Detector } from './detector';
import { RingBuffer } from './ring-buffer';

export interface KnnContextOptions {
  /** Samples in one context: the current value and the ones just before it. */
  dimension: number;
  /** Past contexts kept to compare against. */
  memory: number;
  /** Nearest neighbours averaged into the raw novelty. */
  neighbours: number;
  likelihood: LikelihoodOptions;
  /** Once a score reaches `restThreshold`, the next `restPeriod` samples score 0. */
  restThreshold: number;
  restPeriod: number;
}

/**
 * Contextual novelty: how far the latest few samples, as a shape scaled to the range seen so far,
 * are from their nearest neighbours among earlier contexts. A context the series has shown
 * before scores low however extreme its value; a new shape scores high. The raw distance goes
 * through an anomaly likelihood, and a rest period keeps one anomaly from raising a burst.
 */
export class KnnContextDetector implements Detector {
  private readonly recent: RingBuffer;
  /** `memory` contexts of `dimension` values, one flat ring: typed arrays of their own cost 200 bytes each. */
  private readonly contexts: Float64Array;
  private stored = 0;
  private next = 0;
  private readonly likelihood: AnomalyLikelihood;
  private min = Infinity;
  private max = -Infinity;
  private quietUntil = 0;
  private seen = 0;

  constructor(private readonly options: KnnContextOptions) {
    this.recent = new RingBuffer(options.dimension);
    this.likelihood = new AnomalyLikelihood(options.likelihood);
    this.contexts = new Float64Array(options.memory * options.dimension);
  }

  update(value: number): Detection {
    this.seen++;
    this.min = Math.min(this.min, value);
    this.max = Math.max(this.max, value);
    this.recent.push(value);
    if (this.recent.size < this.options.dimension) return { score: 0 };
    const context = this.context();
    const novelty = this.novelty(context);
    this.remember(context);
    const score = this.likelihood.update(novelty);
    if (this.seen <= this.quietUntil) return { score, resting: true };
    if (score >= this.options.restThreshold) this.quietUntil = this.seen + this.options.restPeriod;
    return { score };
  }

  private context(): Float64Array {
    const range = this.max - this.min || 1;
    const context = new Float64Array(this.options.dimension);
    for (let i = 0; i < context.length; i++) context[i] = (this.recent.at(i) - this.min) / range;
    return context;
  }

  private novelty(context: Float64Array): number {
    const k = this.options.neighbours;
    if (this.stored < k) return 0;
    const nearest = new Float64Array(k).fill(Infinity);
    const dimension = context.length;
    for (let start = 0; start < this.stored * dimension; start += dimension) {
      let distance = 0;
      for (let i = 0; i < dimension; i++) distance += ((context[i] ?? 0) - (this.contexts[start + i] ?? 0)) ** 2;
      if (distance < (nearest[k - 1] ?? 0)) {
        let j = k - 1;
        while (j > 0 && (nearest[j - 1] ?? 0) > distance) nearest[j] = nearest[--j] ?? 0;
        nearest[j] = distance;
      }
    }
    return nearest.reduce((sum, d) => sum + Math.sqrt(d), 0) / k;
  }

  private remember(context: Float64Array): void {
    this.contexts.set(context, this.next * this.options.dimension);
    this.stored = Math.min(this.stored + 1, this.options.memory);
    this.next = (this.next + 1) % this.options.memory;
  }
}
