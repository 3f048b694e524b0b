export type AlertTransition = 'raised' | 'cleared';

/**
 * Hysteresis for one series: a score at or above `raiseAt` raises an alert, and only
 * `clearAfter` consecutive scores below it clear that alert. One sustained anomaly therefore
 * gives one raise and one clear, not one alert per sample.
 */
export class AlertTracker {
  private activeId: string | null = null;
  private normalRun = 0;

  constructor(
    private readonly raiseAt: number,
    private readonly clearAfter: number,
  ) {}

  /** The id of the alert currently raised, if any. */
  get active(): string | null {
    return this.activeId;
  }

  /**
   * `newId` is called only when an alert is raised: hashing an id for every sample is measurable.
   * A resting detection keeps an open alert open or counts towards clearing it, but raises none:
   * its anomaly was reported already.
   */
  observe(score: number, newId: () => string, resting = false): AlertTransition | null {
    if (score >= this.raiseAt) {
      this.normalRun = 0;
      if (this.activeId !== null || resting) return null;
      this.activeId = newId();
      return 'raised';
    }
    if (this.activeId === null || ++this.normalRun < this.clearAfter) return null;
    this.activeId = null;
    this.normalRun = 0;
    return 'cleared';
  }
}
