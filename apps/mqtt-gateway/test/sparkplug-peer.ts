import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { exited, sparkplugPython, track, waitFor } from '@fieldlink/testing';

export interface Sent {
  device: string;
  counter: number;
  seq: number;
  timestamp: number;
}

export interface PeerCommand {
  device: string;
  metrics: { name: string; datatype: string; value: unknown }[];
}

type Event = { born?: number; sent?: Sent; rebirth?: string; command?: PeerCommand; ncmd?: string[] };

/** The pysparkplug edge node of peers/spb_edge_node.py, with everything it printed. */
export class SparkplugEdgeNode {
  readonly events: Event[] = [];
  private readonly child: ChildProcess;

  constructor(port: number, group: string, node: string, options: { bdSeq?: number; skipSeqAt?: number; count?: number } = {}) {
    const args = [join(__dirname, 'peers', 'spb_edge_node.py'), '--port', String(port), '--group', group, '--node', node, '--bdseq', String(options.bdSeq ?? 0)];
    if (options.skipSeqAt !== undefined) args.push('--skip-seq-at', String(options.skipSeqAt));
    if (options.count !== undefined) args.push('--count', String(options.count));
    this.child = track(spawn(sparkplugPython(), args, { stdio: ['pipe', 'pipe', 'inherit'] }));
    let buffer = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      this.events.push(...lines.filter(Boolean).map((line) => JSON.parse(line) as Event));
    });
  }

  get sent(): Sent[] {
    return this.events.flatMap((e) => (e.sent ? [e.sent] : []));
  }

  get commands(): PeerCommand[] {
    return this.events.flatMap((e) => (e.command ? [e.command] : []));
  }

  /** Index in events of the nth rebirth it answered (1-based), or -1. */
  rebirthAt(nth: number): number {
    let seen = 0;
    return this.events.findIndex((e) => e.rebirth !== undefined && ++seen === nth);
  }

  waitSent(count: number, timeoutMs = 30_000): Promise<Sent[]> {
    return waitFor(`the edge node to send ${count} DDATA`, () => this.sent.length >= count && this.sent, { timeoutMs });
  }

  /** Disconnects cleanly (its own NDEATH) and exits. */
  async end(): Promise<void> {
    this.child.stdin?.end();
    await exited(this.child);
  }

  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await exited(this.child);
  }
}
