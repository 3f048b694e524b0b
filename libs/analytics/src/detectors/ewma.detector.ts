import { type Detection, type Detector } from './detector';
import { zScore } from './zscore.detector';

export interface EwmaOptions {
  /** Smoothing factor in (0, 1]; larger follows the signal faster. */
  alpha: number;
  minSamples: number;
}

/**
 * Exponentially weighted mean and variance (West's incremental form), scored like the
 * z-score detector: min(|x − mean| / (3 stddev), 1) against the state before this sample.
 */
export class EwmaDetector implements Detector {
  private mean = 0;
  private variance = 0;
  private seen = 0;

  constructor(private readonly options: EwmaOptions) {}

  update(value: number): Detection {
    const stddev = Math.sqrt(this.variance);
    const detection: Detection =
      this.seen < Math.max(this.options.minSamples, 2)
        ? { score: 0 }
        : {
            score: zScore(value, this.mean, stddev),
            expected: { low: this.mean - 3 * stddev, high: this.mean + 3 * stddev },
          };
    if (this.seen++ === 0) {
      this.mean = value;
    } else {
      const diff = value - this.mean;
      const increment = this.options.alpha * diff;
      this.mean += increment;
      this.variance = (1 - this.options.alpha) * (this.variance + diff * increment);
    }
    return detection;
  }
}
