import { gaussianTail } from './anomaly-likelihood';
import { type Detection } from './detector';
import { ZScoreDetector, type ZScoreOptions } from './zscore.detector';

/** −log10 p at which the score is 0.5. */
const HALF_AT = 3.5;
/** |z| about where the default alert threshold (0.65, p = 3·10⁻⁷) lies: the edge of the expected band. */
const BAND_Z = 5;
/**
 * What a stuck run scores: above the default alert threshold (0.65), so it alerts, but below the
 * 0.9 that rules act on and below what large excursions score. Repeats are far likelier than the
 * Gaussian model says on quantised signals, so a stuck run is evidence, not a certainty.
 */
const STUCK_SCORE = 0.7;

export interface GaussianOptions extends ZScoreOptions {
  /**
   * This many identical readings in a row, from a series whose window varies, score at least 0.7:
   * a stuck sensor. Noise makes exact repeats all but impossible; 0 turns it off for coarse, slow signals
   * such as an integer percentage, which legitimately repeat.
   */
  stuckAfter: number;
  /** A score at or above `restThreshold` makes the next `restPeriod` readings resting; 0 turns it off. */
  restThreshold: number;
  restPeriod: number;
}

/**
 * The z-score's window, scored by the two-sided normal tail p of the sample's z rather than a
 * clipped z: with L = −log10 p, score = L / (L + 3.5), so 0.5 is p = 10⁻³·⁵, 0.65 is 3·10⁻⁷
 * ("1 in 3 million readings of Gaussian noise") and 0.9 is 10⁻³¹·⁵. It never saturates: unlike
 * min(|z|/3, 1), which every 3σ reading reaches, a larger anomaly always scores higher.
 */
export class GaussianTailDetector extends ZScoreDetector {
  private previous = Number.NaN;
  private repeats = 0;
  private quiet = 0;

  constructor(private readonly gaussian: GaussianOptions) {
    super(gaussian);
  }

  override update(value: number): Detection {
    this.repeats = value === this.previous ? this.repeats + 1 : 1;
    this.previous = value;
    const detection = super.update(value);
    if (this.quiet > 0) {
      this.quiet--;
      return { ...detection, resting: true };
    }
    if (this.gaussian.restPeriod > 0 && detection.score >= this.gaussian.restThreshold) this.quiet = this.gaussian.restPeriod;
    return detection;
  }

  protected override scoreAgainst(value: number, mean: number, stddev: number): Detection {
    const expected = { low: mean - BAND_Z * stddev, high: mean + BAND_Z * stddev };
    const stuck = this.gaussian.stuckAfter > 0 && this.repeats >= this.gaussian.stuckAfter && stddev > 0;
    const score = tailScore(value, mean, stddev);
    return { score: stuck ? Math.max(score, STUCK_SCORE) : score, expected };
  }
}

export function tailScore(value: number, mean: number, stddev: number): number {
  const distance = Math.abs(value - mean);
  if (stddev <= Number.EPSILON * Math.max(1, Math.abs(mean))) return distance === 0 ? 0 : 1;
  const minusLog = -log10TwoSidedTail(distance / stddev);
  return minusLog / (minusLog + HALF_AT);
}

/**
 * log10 P(|Z| > z). The tail underflows long before the anomalies we rank do, so from z = 4
 * (where the erfc approximation's absolute error starts to matter) it is the asymptotic series
 * 2φ(z)/z · (1 − 1/z² + 3/z⁴ − 15/z⁶), within 0.2% there and better beyond.
 */
export function log10TwoSidedTail(z: number): number {
  if (z < 4) return Math.log10(Math.min(2 * gaussianTail(z), 1));
  const z2 = z * z;
  const logDensity = -z2 / 2 - 0.5 * Math.log(2 * Math.PI);
  return (Math.log(2) + logDensity - Math.log(z) + Math.log(1 - 1 / z2 + 3 / z2 ** 2 - 15 / z2 ** 3)) / Math.LN10;
}
