/** The band of values a detector considered normal when it scored a sample. */
export interface ExpectedBand {
  low: number;
  high: number;
}

export interface Detection {
  /** Anomaly score in [0, 1]; 0 while the detector is still warming up. */
  score: number;
  /** Absent while warming up. */
  expected?: ExpectedBand;
  /**
   * The detector has just reported an anomaly and scores 0 for its rest period, so that one
   * anomaly is one detection. Alerts and score rules hold their state through it.
   */
  resting?: boolean;
}

/**
 * A single-pass anomaly detector for one series. `update` scores a sample against what came
 * before it and then learns from it; it never looks ahead.
 */
export interface Detector {
  update(value: number): Detection;
}
