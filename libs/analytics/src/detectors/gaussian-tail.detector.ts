import { gaussianTail } from './anomaly-likelihood';
import { type Detection } from './detector';
import { ZScoreDetector, type ZScoreOptions } from './zscore.detector';

/** The smallest tail probability told apart; it scores 1. */
const FLOOR = 1e-10;
/** |z| where the two-sided tail is 1e-5, which scores 0.5: the edge of the expected band. */
const BAND_Z = 4.417;

export interface GaussianOptions extends ZScoreOptions {
  /**
   * This many identical readings in a row, from a series whose window varies, score 1: a stuck
   * sensor. Noise makes exact repeats all but impossible; 0 turns it off for coarse, slow signals
   * such as an integer percentage, which legitimately repeat.
   */
  stuckAfter: number;
}

/**
 * The z-score's window, scored as a calibrated probability rather than a clipped z:
 * score = log(p) / log(1e-10) for the two-sided normal tail p of the sample's z, so 0.5 is
 * "1 in 10^5 for Gaussian noise" and 0.9 is "1 in 10^9". Unlike min(|z|/3, 1) it does not
 * saturate at 3σ, where plain sensor noise lands every few hundred readings.
 */
export class GaussianTailDetector extends ZScoreDetector {
  private previous = Number.NaN;
  private repeats = 0;

  constructor(private readonly gaussian: GaussianOptions) {
    super(gaussian);
  }

  override update(value: number): Detection {
    this.repeats = value === this.previous ? this.repeats + 1 : 1;
    this.previous = value;
    return super.update(value);
  }

  protected override scoreAgainst(value: number, mean: number, stddev: number): Detection {
    const expected = { low: mean - BAND_Z * stddev, high: mean + BAND_Z * stddev };
    const stuck = this.gaussian.stuckAfter > 0 && this.repeats >= this.gaussian.stuckAfter && stddev > 0;
    return { score: stuck ? 1 : tailScore(value, mean, stddev), expected };
  }
}

export function tailScore(value: number, mean: number, stddev: number): number {
  const distance = Math.abs(value - mean);
  if (stddev <= Number.EPSILON * Math.max(1, Math.abs(mean))) return distance === 0 ? 0 : 1;
  const p = 2 * gaussianTail(distance / stddev);
  return Math.min(Math.max(Math.log(Math.max(p, FLOOR)) / Math.log(FLOOR), 0), 1);
}
