import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/**
 * CPU time and peak resident memory of a set of processes (a service, or a shell pipeline's
 * process group), read from /proc: what a bench reports per message for each pipeline.
 */
export class ProcMeter {
  private peak = 0;
  private readonly timer: NodeJS.Timeout;
  /** Last CPU seen per pid, so a process that exits still counts. */
  private readonly cpuByPid = new Map<number, number>();

  constructor(private readonly pids: () => number[]) {
    this.timer = setInterval(() => this.sample(), 250);
  }

  /** The processes in process group `pgid` (a child spawned with `detached: true` leads one). */
  static group(pgid: number): ProcMeter {
    return new ProcMeter(() => processGroup(pgid));
  }

  /** CPU seconds (user + system) the processes have used so far. */
  cpuSeconds(): number {
    this.sample();
    let total = 0;
    for (const ticks of this.cpuByPid.values()) total += ticks;
    return total / CLOCK_TICKS;
  }

  /** The largest sum of their resident memory seen, sampled every 250 ms. */
  get peakRssBytes(): number {
    return this.peak;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    let rss = 0;
    for (const pid of this.pids()) {
      const stat = readStat(pid);
      if (!stat) continue;
      this.cpuByPid.set(pid, stat.ticks);
      rss += stat.rssBytes;
    }
    this.peak = Math.max(this.peak, rss);
  }
}

const PAGE_BYTES = 4096;

function readStat(pid: number): { ticks: number; rssBytes: number; pgrp: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pgrp: Number(fields[2]), ticks: Number(fields[11]) + Number(fields[12]), rssBytes: Number(fields[21]) * PAGE_BYTES };
  } catch {
    return undefined; // exited between listing and reading
  }
}

function processGroup(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => readStat(pid)?.pgrp === pgid);
}
