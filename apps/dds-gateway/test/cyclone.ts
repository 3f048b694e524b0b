import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { exited, run, track, waitFor, workspaceRoot } from '@fieldlink/testing';

const PEERS = join(__dirname, 'peers');
export const CYCLONE_CONFIG = join(PEERS, 'cyclone-config.xml');
/** Every Cyclone peer runs with this: loopback only, no multicast, unicast discovery of 127.0.0.1. */
const CYCLONE_ENV = { ...process.env, CYCLONEDDS_URI: `file://${CYCLONE_CONFIG}` };

/** strace options that record every datagram a process and its threads send. */
export const STRACE_SENDS = ['-f', '-qq', '-e', 'trace=sendto,sendmsg,sendmmsg', '-e', 'signal=none'];

let built: Promise<string> | undefined;

/**
 * Builds the Cyclone DDS C peers from test/peers/fieldlink.idl with idlc and gcc into
 * .infra/dds-peers, once per run, and again only when a source is newer than the binaries.
 */
export function cyclonePeers(): Promise<string> {
  built ??= build();
  return built;
}

async function build(): Promise<string> {
  const out = join(workspaceRoot(), '.infra', 'dds-peers');
  const sources = ['fieldlink.idl', 'cyclone_pub.c', 'cyclone_sub.c'].map((f) => join(PEERS, f));
  const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs));
  const binaries = ['cyclone_pub', 'cyclone_sub'].map((b) => join(out, b));
  if (binaries.every((b) => existsSync(b) && statSync(b).mtimeMs > newest)) return out;
  mkdirSync(out, { recursive: true });
  const step = async (command: string, args: string[]) => {
    const result = await run(command, args, { cwd: out, timeoutMs: 120_000 }).catch((error: unknown) => {
      throw new Error(`${command} failed to run (install Cyclone DDS with: bash tools/infra/install.sh): ${String(error)}`);
    });
    if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`);
  };
  await step('idlc', ['-o', out, join(PEERS, 'fieldlink.idl')]);
  for (const peer of ['cyclone_pub', 'cyclone_sub']) await step('gcc', ['-O2', '-Wall', '-I', out, '-o', peer, join(PEERS, `${peer}.c`), 'fieldlink.c', '-lddsc']);
  return out;
}

export interface PublishOptions {
  topic: string;
  count: number;
  sensors?: number;
  /** Samples per second; 0: as fast as the reader acknowledges. */
  rate?: number;
  /** TRANSIENT_LOCAL: the writer keeps every sample for readers that join (or rejoin) later. */
  durable?: boolean;
  dispose?: boolean;
  emptyKeyEvery?: number;
  /** How long the writer stays after DONE, so a rejoining reader still finds its history. */
  lingerMs?: number;
  /** Sample n (0-based) gets timestamp base + n instead of the write time. */
  timestampBase?: number;
  /** Readers that must match before the first write (default 1). */
  readers?: number;
  /** Runs the publisher under strace, recording its sends in this file. */
  straceFile?: string;
}

/**
 * cyclone_pub: writes SensorData with reliable KEEP_ALL QoS. Sensor `sensor-i` gets
 * temperature 1, 2, 3 ... (its own sequence) and the write time as timestamp.
 */
export class CyclonePublisher {
  output = '';

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  static async start(options: PublishOptions): Promise<CyclonePublisher> {
    const args = ['--topic', options.topic, '--count', String(options.count), '--sensors', String(options.sensors ?? 10), '--rate', String(options.rate ?? 0)];
    if (options.durable) args.push('--durable');
    if (options.dispose) args.push('--dispose');
    if (options.emptyKeyEvery) args.push('--empty-key-every', String(options.emptyKeyEvery));
    if (options.lingerMs) args.push('--linger-ms', String(options.lingerMs));
    if (options.readers) args.push('--readers', String(options.readers));
    if (options.timestampBase) args.push('--timestamp-base', String(options.timestampBase));
    const bin = join(await cyclonePeers(), 'cyclone_pub');
    const [command, argv] = options.straceFile ? ['strace', [...STRACE_SENDS, '-o', options.straceFile, bin, ...args]] : [bin, args];
    return new CyclonePublisher(track(spawn(command, argv, { env: CYCLONE_ENV, stdio: ['ignore', 'pipe', 'pipe'] })));
  }

  /** Resolves once the gateway's reader has matched the writer (discovery over loopback). */
  matched(timeoutMs = 30_000): Promise<void> {
    return this.printed('MATCHED', timeoutMs);
  }

  /** Resolves once every sample was written and acknowledged by the matched readers. */
  done(timeoutMs = 120_000): Promise<void> {
    return this.printed('DONE', timeoutMs);
  }

  /** Waits for the publisher to finish by itself (after its linger time); fails unless it exits 0. */
  async exit(): Promise<void> {
    const code = await exited(this.child);
    if (code !== 0) throw new Error(`cyclone_pub exited ${code}:\n${this.output}`);
  }

  /** Fails at once, with the peer's output, if it exits first. */
  private async printed(text: string, timeoutMs: number): Promise<void> {
    await waitFor(`cyclone_pub ${text}`, () => this.output.includes(text) || this.child.exitCode !== null, { timeoutMs, intervalMs: 20 });
    if (!this.output.includes(text)) throw new Error(`cyclone_pub exited ${this.child.exitCode} before ${text}:\n${this.output}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await exited(this.child);
  }
}

export interface ReceivedCommand {
  device_id: string;
  command_id: string;
  action: string;
  args: string;
}

/** cyclone_sub: a reliable reader of DeviceCommand that prints each one as a JSON line. */
export class CycloneSubscriber {
  private output = '';
  private stderr = '';

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  static async start(topic: string): Promise<CycloneSubscriber> {
    const bin = join(await cyclonePeers(), 'cyclone_sub');
    const sub = new CycloneSubscriber(track(spawn(bin, ['--topic', topic], { env: CYCLONE_ENV, stdio: ['ignore', 'pipe', 'pipe'] })));
    await waitFor('cyclone_sub READY', () => {
      if (sub.child.exitCode !== null) throw new Error(`cyclone_sub exited ${sub.child.exitCode}: ${sub.stderr}`);
      return sub.output.includes('READY');
    }, { timeoutMs: 30_000 });
    return sub;
  }

  get commands(): ReceivedCommand[] {
    return this.output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as ReceivedCommand);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await exited(this.child);
  }
}
