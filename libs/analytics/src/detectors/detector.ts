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
   * The detector reported an anomaly less than its rest period ago, so this reading is not a new
   * detection: NAB counts it as 0 (one anomaly, one detection), and no new alert is raised on it.
   * The score is still the real one, so an open alert and the rules follow the anomaly.
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
