/** The final statistics of one closed window. */
export interface WindowStats {
  /** Window start and end in ms since the epoch; the end is exclusive. */
  start: number;
  end: number;
  count: number;
  mean: number;
  min: number;
  max: number;
  /** Population standard deviation. */
  stddev: number;
  firstEventTime: number;
  lastEventTime: number;
}

/** Accumulates one window's statistics in a single pass (Welford's mean and variance). */
export class WindowAccumulator {
  private count = 0;
  private mean = 0;
  private m2 = 0;
  private min = Infinity;
  private max = -Infinity;
  private first = Infinity;
  private last = -Infinity;

  constructor(
    readonly start: number,
    readonly end: number,
  ) {}

  add(eventTime: number, value: number): void {
    this.count++;
    const delta = value - this.mean;
    this.mean += delta / this.count;
    this.m2 += delta * (value - this.mean);
    this.min = Math.min(this.min, value);
    this.max = Math.max(this.max, value);
    this.first = Math.min(this.first, eventTime);
    this.last = Math.max(this.last, eventTime);
  }

  result(): WindowStats {
    return {
      start: this.start,
      end: this.end,
      count: this.count,
      mean: this.mean,
      min: this.min,
      max: this.max,
      stddev: Math.sqrt(this.m2 / this.count),
      firstEventTime: this.first,
      lastEventTime: this.last,
    };
  }
}
