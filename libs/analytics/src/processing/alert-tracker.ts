export type AlertTransition = 'raised' | 'cleared';

/**
 * Hysteresis for one series: a score at or above `raiseAt` raises an alert, and only
 * `clearAfter` consecutive scores below it clear that alert. One sustained anomaly therefore
 * gives one raise and one clear, not one alert per sample.
 */
export class AlertTracker {
  private activeId: string | null = null;
  private normalRun = 0;
  /** An alert was open at the last reading that was not resting, so a rest after it is that alert's. */
  private restFollowsAlert = false;

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
   * A resting detection keeps an open alert open or counts towards clearing it. It raises none
   * when the rest follows one of this tracker's alerts, whose anomaly was reported already; a
   * rest that a score below `raiseAt` started (the detector's rest threshold can be lower than a
   * configured `alertAbove`) must not hide the alert that comes after it.
   */
  observe(score: number, newId: () => string, resting = false): AlertTransition | null {
    const transition = this.step(score, newId, resting && this.restFollowsAlert);
    if (!resting || transition === 'raised') this.restFollowsAlert = this.activeId !== null;
    return transition;
  }

  private step(score: number, newId: () => string, mayNotRaise: boolean): AlertTransition | null {
    if (score >= this.raiseAt) {
      this.normalRun = 0;
      if (this.activeId !== null || mayNotRaise) return null;
      this.activeId = newId();
      return 'raised';
    }
    if (this.activeId === null || ++this.normalRun < this.clearAfter) return null;
    this.activeId = null;
    this.normalRun = 0;
    return 'cleared';
  }
}
