import { RingBuffer } from './ring-buffer';

export interface LikelihoodOptions {
  /** Raw scores averaged into the short-term mean that is tested. */
  shortWindow: number;
  /** Raw scores that make up the long-term distribution it is tested against. */
  longWindow: number;
  /** Raw scores seen before any likelihood is reported. */
  learningPeriod: number;
  /** Floor for the history's stddev, so a near-perfect fit does not turn noise into alarms. */
  minSpread: number;
}

/**
 * Turns a stream of raw anomaly values into how unlikely their recent level is, after the idea
 * of Ahmad et al. 2017 ("Unsupervised real-time anomaly detection for streaming data", §4.2):
 * the mean of the last few raw values is compared with a normal fit of the longer history,
 * and the tail probability is put on a log scale so 0.5 means "1 in 10^5".
 */
export class AnomalyLikelihood {
  private readonly recent: RingBuffer;
  private readonly history: RingBuffer;
  private recentSum = 0;
  private historySum = 0;
  private historySquares = 0;

  constructor(private readonly options: LikelihoodOptions) {
    this.recent = new RingBuffer(options.shortWindow);
    this.history = new RingBuffer(options.longWindow);
  }

  update(raw: number): number {
    this.recentSum += raw - (this.recent.push(raw) ?? 0);
    const shortMean = this.recentSum / this.recent.size;
    let score = 0;
    if (this.history.size >= this.options.learningPeriod) {
      const n = this.history.size;
      const mean = this.historySum / n;
      const stddev = Math.sqrt(Math.max(this.historySquares / n - mean * mean, 0));
      const tail = gaussianTail((shortMean - mean) / Math.max(stddev, this.options.minSpread));
      score = Math.min(Math.log(tail + 1e-10) / Math.log(1e-10), 1);
    }
    const evicted = this.history.push(shortMean);
    this.historySum += shortMean - (evicted ?? 0);
    this.historySquares += shortMean * shortMean - (evicted ?? 0) ** 2;
    return Math.max(score, 0);
  }
}

/** P(Z > z) for a standard normal Z (Abramowitz & Stegun 7.1.26 for erfc). */
export function gaussianTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erfc = poly * Math.exp(-x * x);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}
