import { type Detection, type Detector } from './detector';
import { RingBuffer } from './ring-buffer';
import { zScore } from './zscore.detector';

export interface MadOptions {
  window: number;
  minSamples: number;
}

/** 1.4826 · MAD estimates the standard deviation of normally distributed data. */
const MAD_TO_STDDEV = 1.4826;

/**
 * Robust z-score: the distance from the median of the last `window` samples, in units of
 * 1.4826 · MAD. Outliers in the history barely move either statistic, unlike mean and stddev.
 */
export class MadDetector implements Detector {
  private readonly history: RingBuffer;

  constructor(private readonly options: MadOptions) {
    this.history = new RingBuffer(options.window);
  }

  update(value: number): Detection {
    const detection = this.score(value);
    this.history.push(value);
    return detection;
  }

  private score(value: number): Detection {
    if (this.history.size < Math.max(this.options.minSamples, 3)) return { score: 0 };
    const values = this.history.toArray();
    const centre = median(values);
    const spread = MAD_TO_STDDEV * median(values.map((v) => Math.abs(v - centre)));
    return { score: zScore(value, centre, spread), expected: { low: centre - 3 * spread, high: centre + 3 * spread } };
  }
}

export function median(values: number[]): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
