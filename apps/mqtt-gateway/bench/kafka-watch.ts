import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { nowMs } from '@fieldlink/testing';

/**
 * Follows a topic with kcat (librdkafka) and records, for each benchmark
 * message, when it became readable. `extract` pulls {seq, t} out of a record.
 */
export class KafkaWatch {
  private readonly child: ChildProcess;
  private readonly seen = new Set<number>();
  // Counted as records arrive: re-counting the set per record made the watcher O(n²) and starved the pipeline under test.
  private readonly counted = new Map<number, number>();
  private waiters: (() => void)[] = [];
  latencies: number[] = [];
  lastAt = 0;

  /** `run` groups sequence numbers, e.g. seq ≥ 10,000,000 is the half-rate run. */
  constructor(
    brokers: string,
    topic: string,
    extract: (line: string) => { seq: number; t: number } | undefined,
    private readonly run: (seq: number) => number,
  ) {
    this.child = spawn('kcat', ['-b', brokers, '-C', '-t', topic, '-o', 'beginning', '-u', '-q', '-f', '%s\n'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: this.child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      const at = nowMs();
      const m = extract(line);
      if (!m || this.seen.has(m.seq)) return;
      this.seen.add(m.seq);
      const run = this.run(m.seq);
      this.counted.set(run, (this.counted.get(run) ?? 0) + 1);
      if (m.seq >= 0) this.latencies.push(at - m.t);
      this.lastAt = at;
      this.waiters.forEach((w) => w());
    });
  }

  has(seq: number): boolean {
    return this.seen.has(seq);
  }

  count(run: number): number {
    return this.counted.get(run) ?? 0;
  }

  /** Resolves once `count` messages of one run have been read, or rejects at the deadline. */
  waitForCount(run: number, count: number, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.count(run) >= count) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== check);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`only ${this.count(run)} of ${count} messages reached Kafka within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(check);
      check();
    });
  }

  close(): void {
    this.child.kill();
  }
}
