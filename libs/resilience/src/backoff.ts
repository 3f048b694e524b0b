/**
 * How a {@link Backoff} spreads its waits:
 * - `none`: exactly `initialMs · 2^failures`, capped at `maxMs`;
 * - `upper-half`: a uniformly random wait between half of that and all of it, rounded to a
 *   whole millisecond, so replicas that lost the same peer do not come back in step.
 */
export type BackoffJitter = 'none' | 'upper-half';

/** The numbers of one backoff; every caller states its own. */
export interface BackoffOptions {
  /** The wait after the first failure, in milliseconds. */
  initialMs: number;
  /** The longest wait, in milliseconds: the doubling stops there. */
  maxMs: number;
  /** `none` unless given. */
  jitter?: BackoffJitter;
  /** A source of numbers in [0, 1) for the jitter; `Math.random` unless given (tests pin it). */
  random?: () => number;
}

/**
 * Exponential backoff: each `next()` counts one more failure and returns the wait before the
 * next attempt, doubling from `initialMs` up to `maxMs`; `reset()` starts over after a success.
 */
export class Backoff {
  private count = 0;
  private ceiling = 0;
  private readonly jitter: BackoffJitter;
  private readonly random: () => number;

  constructor(private readonly options: BackoffOptions) {
    this.jitter = options.jitter ?? 'none';
    this.random = options.random ?? Math.random;
  }

  /** Failures counted since the start or the last `reset()`. */
  get failures(): number {
    return this.count;
  }

  /** The wait before the next attempt; each call counts one more failure. */
  next(): number {
    // Doubled step by step rather than computed as initialMs * 2 ** failures, so a long
    // outage never reaches Infinity; the values are the same (doubling is exact).
    this.ceiling = Math.min(this.options.maxMs, this.count === 0 ? this.options.initialMs : this.ceiling * 2);
    this.count++;
    return this.jitter === 'upper-half' ? Math.round(this.ceiling / 2 + (this.random() * this.ceiling) / 2) : this.ceiling;
  }

  /** Starts again from `initialMs`. */
  reset(): void {
    this.count = 0;
    this.ceiling = 0;
  }
}
