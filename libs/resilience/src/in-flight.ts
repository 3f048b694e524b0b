/**
 * Work started and not yet settled: to bound how much runs at once, and to wait for it to
 * finish on shutdown. A rejection counts as settled and is not reported here (tracking marks
 * it handled), so track work that deals with its own errors.
 */
export class InFlight {
  private readonly work = new Set<Promise<void>>();

  /** Pieces of work tracked and not yet settled. */
  get size(): number {
    return this.work.size;
  }

  /** Tracks `work` until it settles. */
  track(work: Promise<unknown>): void {
    // Removed before `entry` resolves, so a waiter woken by it already sees the lower size.
    const untrack = (): void => {
      this.work.delete(entry);
    };
    const entry: Promise<void> = work.then(untrack, untrack);
    this.work.add(entry);
  }

  /**
   * Resolves once fewer than `limit` pieces of work are in flight (at once if already so), or
   * once nothing is: with no work left there is nothing to wait for, whatever the limit.
   */
  async waitBelow(limit: number): Promise<void> {
    while (this.work.size > 0 && this.work.size >= limit) await Promise.race(this.work);
  }

  /** Resolves once every piece of work tracked so far has settled; work tracked meanwhile is not waited for. */
  async drain(): Promise<void> {
    await Promise.all([...this.work]);
  }
}
