import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { track } from './children';
import { MemoryCgroup } from './memory-cgroup';
import { RssSampler } from './rss-sampler';
import { freePort } from './names';
import { serviceNodeFlags } from './service-flags';
import { exited } from './processes';
import { type SecretGuard, watchForSecrets } from './secret-guard';
import { GiveUp, waitFor } from './wait-for';
import { workspaceRoot } from './workspace';

/** Writes a YAML config to a temp file and returns its path (for FIELDLINK_CONFIG). */
export function writeConfig(config: object): string {
  const path = join(mkdtempSync(join(tmpdir(), 'fieldlink-config-')), 'config.yaml');
  writeFileSync(path, stringify(config));
  return path;
}

/**
 * One service run from its build output (dist/apps/<app>/main.js, or another folder), as operators
 * run it: a real process with real signals, logs and HTTP endpoints. Given `secrets`, it fails the
 * test if any line the service prints holds one (see SecretGuard).
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private output = '';
  private peakRss = 0;
  /** Settles once the current run's stdout and stderr are closed: every line it printed has been checked. */
  private closed: Promise<void> = Promise.resolve();

  private constructor(
    readonly app: string,
    private readonly env: NodeJS.ProcessEnv,
    readonly httpPort: number,
    /** Set only for a bundle installed elsewhere; the workspace's dist/apps/<app> otherwise, run from the current folder. */
    private readonly bundleDir: string | undefined,
    /** Set to run the service under a memory limit, as in a container. */
    private readonly cgroup: MemoryCgroup | undefined,
    private readonly guard: SecretGuard,
  ) {}

  /**
   * `dir`: run main.js from another folder, such as a production bundle installed on its own; it is also the cwd.
   * `cgroup`: run it, and every restart of it, inside this memory cgroup.
   * `secrets`: passwords, tokens and keys the service is given and must never print; stop, kill and
   * waitExit throw once its output is closed if a line held one.
   */
  static async start(
    app: string,
    env: NodeJS.ProcessEnv,
    options: { waitReady?: boolean; dir?: string; cgroup?: MemoryCgroup; secrets?: readonly string[] } = {},
  ): Promise<ServiceProcess> {
    const httpPort = await freePort();
    const cgroup = options.cgroup ?? cgroupFromEnv();
    const service = new ServiceProcess(app, { HTTP_PORT: String(httpPort), ...env }, httpPort, options.dir, cgroup, watchForSecrets(app, options.secrets ?? []));
    await service.spawn(options.waitReady ?? true);
    return service;
  }

  /** Logs and stderr so far; attach them to failing assertions. */
  get logs(): string {
    return this.output;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The most resident memory any of its processes so far used, sampled every 250 ms. */
  get peakRssBytes(): number {
    return this.peakRss;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async spawn(waitReady = true): Promise<void> {
    const main = join(this.bundleDir ?? join(workspaceRoot(), 'dist', 'apps', this.app), 'main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: build it with "npx nx run ${this.app}:build"`);
    const node: [string, string[]] = [process.execPath, [...serviceNodeFlags(this.app), main]];
    const [command, args] = this.cgroup ? this.cgroup.wrap(...node) : node;
    const child = track(
      spawn(command, args, {
        cwd: this.bundleDir,
        env: { ...process.env, ...this.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    this.child = child;
    this.watchMemory(child);
    const append = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-200_000);
    };
    const out = this.guard.stream();
    const err = this.guard.stream();
    child.stdout?.on('data', (chunk: Buffer) => {
      append(chunk);
      out.write(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      append(chunk);
      err.write(chunk);
    });
    // 'close' comes after 'exit', once both pipes are drained: the last lines are in by then.
    this.closed = new Promise((resolve) =>
      child.once('close', () => {
        out.end();
        err.end();
        resolve();
      }),
    );
    if (waitReady) await this.waitReady();
  }

  private watchMemory(child: ChildProcess): void {
    const rss = new RssSampler(() => child.pid);
    child.once('exit', () => {
      rss.stop();
      this.peakRss = Math.max(this.peakRss, rss.peakBytes);
      if (!process.env['SERVICE_MEMORY_LIMIT_MIB']) return;
      const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
      const cgroup = this.cgroup ? `, cgroup peak ${mib(this.cgroup.peakBytes)} of ${mib(this.cgroup.limitBytes)}, OOM kills ${this.cgroup.oomKills}` : '';
      process.stderr.write(`[memory] ${this.app} (pid ${child.pid}) peak RSS ${mib(rss.peakBytes)}${cgroup}\n`);
    });
  }

  async waitReady(timeoutMs = 60_000): Promise<void> {
    await waitFor(
      `${this.app} /health/ready`,
      async () => {
        if (!this.running) throw new GiveUp(`${this.app} exited:\n${this.output.slice(-4000)}`);
        const res = await fetch(`http://127.0.0.1:${this.httpPort}/health/ready`);
        return res.status === 200;
      },
      { timeoutMs, intervalMs: 200 },
    );
  }

  async get(path: string): Promise<{ status: number; body: string }> {
    try {
      const res = await fetch(`http://127.0.0.1:${this.httpPort}${path}`);
      return { status: res.status, body: await res.text() };
    } catch (err) {
      // A refused connection usually means the service died: say so, with what it printed last.
      if (this.running) throw err;
      const how = this.child?.signalCode ?? `code ${this.child?.exitCode}`;
      throw new Error(`${this.app} exited (${how}) before GET ${path}:\n${this.output.slice(-4000)}`);
    }
  }

  /** The value of one Prometheus sample, e.g. metric('fieldlink_ingest_received_total', {mapping: 'x'}). */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const { body } = await this.get('/metrics');
    let total = 0;
    for (const line of body.split('\n')) {
      if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
      if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return total;
  }

  /** The exit code; throws if the service printed a secret it was given. */
  async waitExit(timeoutMs = 30_000): Promise<number | null> {
    const child = this.child;
    if (!child) return null;
    const code = await Promise.race([
      exited(child),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${this.app} did not exit`)), timeoutMs).unref()),
    ]);
    await this.checkOutput();
    return code;
  }

  async stop(): Promise<number | null> {
    if (!this.running) {
      await this.checkOutput();
      return this.child?.exitCode ?? null;
    }
    this.child?.kill('SIGTERM');
    return this.waitExit();
  }

  async kill(): Promise<void> {
    if (!this.running) return this.checkOutput();
    this.child?.kill('SIGKILL');
    await this.waitExit();
  }

  /** Once the output is closed (bounded, in case a grandchild holds a pipe open), every line of it is checked. */
  private async checkOutput(): Promise<void> {
    if (!this.guard.guarding) return;
    await Promise.race([this.closed, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    this.guard.assertClean();
  }
}

/**
 * SERVICE_MEMORY_LIMIT_MIB=512 runs every service a test or benchmark starts in a memory cgroup
 * of that size, as in a container, and prints its peak memory when it exits: how the chart's
 * limits were measured (helm/README.md, Sizing).
 */
function cgroupFromEnv(): MemoryCgroup | undefined {
  const mib = Number(process.env['SERVICE_MEMORY_LIMIT_MIB'] ?? 0);
  return mib > 0 ? MemoryCgroup.create(mib * 2 ** 20) : undefined;
}
