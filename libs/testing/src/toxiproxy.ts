import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { track } from './children';
import { freePort } from './names';
import { exited } from './processes';
import { waitFor } from './wait-for';
import { fieldlinkCache } from './workspace';

const VERSION = process.env['TOXIPROXY_VERSION'] ?? '2.5.0';

function binary(): string {
  const path = join(fieldlinkCache(), 'bin', `toxiproxy-server-${VERSION}`);
  if (!existsSync(path)) throw new Error(`${path} is missing: run tools/infra/install.sh`);
  return path;
}

/**
 * Toxiproxy (Shopify's TCP fault proxy, not our code) in front of one upstream, on 127.0.0.1.
 * `cut` refuses and closes every connection; `blackhole` keeps them open and passes nothing;
 * `limitBandwidth` makes the path slow.
 */
export class Toxiproxy {
  private constructor(
    private readonly child: ChildProcess,
    private readonly api: string,
    readonly port: number,
  ) {}

  static async start(upstream: string, listenPort?: number): Promise<Toxiproxy> {
    const apiPort = await freePort();
    const port = listenPort ?? (await freePort());
    const child = track(spawn(binary(), ['-host', '127.0.0.1', '-port', String(apiPort)], { stdio: 'ignore' }));
    const proxy = new Toxiproxy(child, `http://127.0.0.1:${apiPort}`, port);
    await waitFor('toxiproxy API', () => fetch(`${proxy.api}/version`).then((r) => r.ok, () => false), { timeoutMs: 20_000, intervalMs: 100 });
    await proxy.call('POST', '/proxies', { name: 'upstream', listen: `127.0.0.1:${port}`, upstream, enabled: true });
    return proxy;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async cut(): Promise<void> {
    await this.call('POST', '/proxies/upstream', { enabled: false });
  }

  async blackhole(): Promise<void> {
    // A timeout toxic with timeout 0 drops every byte until it is removed, as the path to a vanished
    // peer does. Unlike a real network, which TCP retransmits over, the old connections stay broken
    // afterwards (their streams lost bytes): a client recovers only by opening new ones.
    for (const stream of ['upstream', 'downstream']) {
      await this.call('POST', '/proxies/upstream/toxics', { name: `blackhole-${stream}`, type: 'timeout', stream, toxicity: 1, attributes: { timeout: 0 } });
    }
  }

  /** Passes at most `kbPerSecond` KB/s towards the upstream; the rest waits in TCP buffers. */
  async limitBandwidth(kbPerSecond: number): Promise<void> {
    await this.call('POST', '/proxies/upstream/toxics', { name: 'bandwidth', type: 'bandwidth', stream: 'upstream', toxicity: 1, attributes: { rate: kbPerSecond } });
  }

  /** Undoes cut, blackhole and limitBandwidth. */
  async restore(): Promise<void> {
    await this.call('POST', '/reset');
  }

  async dispose(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGKILL');
    await exited(this.child);
  }

  private async call(method: string, path: string, body?: object): Promise<void> {
    const res = await fetch(`${this.api}${path}`, { method, ...(body ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
    if (!res.ok) throw new Error(`toxiproxy ${method} ${path}: ${res.status} ${await res.text()}`);
  }
}
