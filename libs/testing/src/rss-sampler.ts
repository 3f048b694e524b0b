import { readFileSync } from 'node:fs';

/**
 * Samples a process's resident memory (VmRSS) every `intervalMs` and keeps the largest, so a test
 * can state what a service needed, not only that it survived.
 */
export class RssSampler {
  private peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: () => number | undefined,
    intervalMs = 250,
  ) {
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  get peakBytes(): number {
    return this.peak;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    const pid = this.pid();
    if (pid === undefined) return;
    try {
      const kb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      this.peak = Math.max(this.peak, kb * 1024);
    } catch {
      // the process exited between samples; the test sees that through its own checks
    }
  }
}
