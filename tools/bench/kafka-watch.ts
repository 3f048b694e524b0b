import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { nowMs } from './stats';

/**
 * Follows a topic with kcat (librdkafka) and records, for each benchmark
 * message, when it became readable. `extract` pulls {seq, t} out of a record.
 */
export class KafkaWatch {
  private readonly child: ChildProcess;
  private readonly seen = new Map<number, number>();
  private waiters: (() => void)[] = [];
  latencies: number[] = [];
  lastAt = 0;

  constructor(brokers: string, topic: string, extract: (line: string) => { seq: number; t: number } | undefined) {
    this.child = spawn('kcat', ['-b', brokers, '-C', '-t', topic, '-o', 'beginning', '-u', '-q', '-f', '%s\n'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: this.child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      const at = nowMs();
      const m = extract(line);
      if (!m || this.seen.has(m.seq)) return;
      this.seen.set(m.seq, at);
      if (m.seq >= 0) this.latencies.push(at - m.t);
      this.lastAt = at;
      this.waiters.forEach((w) => w());
    });
  }

  has(seq: number): boolean {
    return this.seen.has(seq);
  }

  count(fromSeq: number): number {
    let n = 0;
    for (const seq of this.seen.keys()) if (seq >= fromSeq) n++;
    return n;
  }

  /** Resolves once `count` messages with seq ≥ fromSeq have been read, or rejects at the deadline. */
  waitForCount(fromSeq: number, count: number, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.count(fromSeq) >= count) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== check);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`only ${this.count(fromSeq)} of ${count} messages reached Kafka within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(check);
      check();
    });
  }

  close(): void {
    this.child.kill();
  }
}
