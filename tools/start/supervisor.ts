import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';

export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  logFile: string;
  /** Each line of stdout, e.g. a simulator's labelled anomalies. */
  onLine?: (line: string) => void;
}

/**
 * One process npm start runs, in a process group of its own: Ctrl-C in the terminal reaches
 * only npm start, which stops the children in order (simulators first), and stopping a group
 * also stops what the child started itself (tsx runs the script in a second node process).
 */
export class Supervised {
  private child: ChildProcess | undefined;
  private log: WriteStream | undefined;
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;

  constructor(readonly spec: ChildSpec) {}

  get name(): string {
    return this.spec.name;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !!this.child && this.exitCode === null && this.exitSignal === null;
  }

  start(): void {
    this.log = createWriteStream(this.spec.logFile);
    const child = spawn(this.spec.command, this.spec.args, {
      cwd: this.spec.cwd,
      env: { ...process.env, ...this.spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    let partial = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      this.log?.write(chunk);
      if (!this.spec.onLine) return;
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.spec.onLine(line);
    });
    child.stderr?.on('data', (chunk: Buffer) => this.log?.write(chunk));
    child.on('error', (error) => this.log?.write(`[npm start] could not run ${this.spec.command}: ${error.message}\n`));
    child.on('exit', (code, signal) => {
      this.exitCode = code;
      this.exitSignal = signal;
      this.log?.end();
    });
  }

  /** SIGTERM to the group, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    const child = this.child;
    if (!child?.pid || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    signalGroup(child.pid, 'SIGTERM');
    const timer = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs).unref());
    const inTime = await Promise.race([exited.then(() => true), timer]);
    if (!inTime) signalGroup(child.pid, 'SIGKILL');
    await exited;
    // Whatever the child left behind in its group.
    signalGroup(child.pid, 'SIGKILL');
  }

  /** For the exit hook: no waiting. */
  killNow(): void {
    if (this.child?.pid) signalGroup(this.child.pid, 'SIGKILL');
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}
