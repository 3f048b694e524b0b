import { type Detection, type Detector } from './detector';
import { RingBuffer } from './ring-buffer';

export interface ZScoreOptions {
  /** Samples in the sliding window the score is measured against. */
  window: number;
  /** Samples needed before the detector scores anything. */
  minSamples: number;
}

/**
 * The seed detector: z = (x − mean) / stddev over the previous `window` samples, and
 * score = min(|z| / 3, 1). The band is mean ± 3 stddev, where the score reaches 1.
 */
export class ZScoreDetector implements Detector {
  private readonly history: RingBuffer;
  private sum = 0;
  private sumOfSquares = 0;

  constructor(protected readonly options: ZScoreOptions) {
    this.history = new RingBuffer(options.window);
  }

  update(value: number): Detection {
    const detection = this.score(value);
    const evicted = this.history.push(value);
    this.sum += value - (evicted ?? 0);
    this.sumOfSquares += value * value - (evicted ?? 0) ** 2;
    return detection;
  }

  private score(value: number): Detection {
    const n = this.history.size;
    if (n < Math.max(this.options.minSamples, 2)) return { score: 0 };
    const mean = this.sum / n;
    const stddev = Math.sqrt(Math.max(0, this.sumOfSquares / n - mean * mean));
    return this.scoreAgainst(value, mean, stddev);
  }

  protected scoreAgainst(value: number, mean: number, stddev: number): Detection {
    return { score: zScore(value, mean, stddev), expected: { low: mean - 3 * stddev, high: mean + 3 * stddev } };
  }
}

/** min(|z| / 3, 1), with a flat history treated as: equal is normal, anything else is anomalous. */
export function zScore(value: number, centre: number, spread: number): number {
  const distance = Math.abs(value - centre);
  if (spread <= Number.EPSILON * Math.max(1, Math.abs(centre))) return distance === 0 ? 0 : 1;
  return Math.min(distance / spread / 3, 1);
}
