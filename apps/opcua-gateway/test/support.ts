import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Infra, ServiceProcess, exited, freePort, freshName, interopPython, run, track, waitFor, writeConfig } from '@fieldlink/testing';

/** A PLC played by Python asyncua (test/peers/asyncua_plc.py), on its own port, restartable. */
export class AsyncuaPlc {
  private child: ChildProcess | undefined;
  private output = '';
  /** Activated sessions as the server last printed them, and the most ever seen at once. */
  sessions = 0;
  maxSessions = 0;

  private constructor(
    readonly port: number,
    private readonly args: string[],
  ) {}

  static async start(options: { objects?: number; intervalMs?: number; cert?: string; key?: string; user?: string } = {}): Promise<AsyncuaPlc> {
    const args = ['--objects', String(options.objects ?? 3), '--interval-ms', String(options.intervalMs ?? 200)];
    if (options.cert && options.key) args.push('--cert', options.cert, '--key', options.key);
    if (options.user) args.push('--user', options.user);
    const plc = new AsyncuaPlc(await freePort(), args);
    await plc.spawn();
    return plc;
  }

  get url(): string {
    return `opc.tcp://127.0.0.1:${this.port}/plc`;
  }

  /** The endpoint name the gateway gives this PLC when the config names none. */
  get defaultName(): string {
    return `127.0.0.1-${this.port}`;
  }

  /** A variable's NodeId and value as Python asyncua's own client reads it (test/peers/asyncua_read.py). */
  async read(path: string): Promise<{ nodeId: string; value: unknown }> {
    const result = await run(interopPython(), [join(__dirname, 'peers', 'asyncua_read.py'), '--url', this.url, '--path', path], { timeoutMs: 30_000 });
    if (result.code !== 0) throw new Error(`asyncua_read.py ${path} exited ${result.code}:\n${result.stderr}`);
    return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '') as { nodeId: string; value: unknown };
  }

  get logs(): string {
    return this.output;
  }

  async spawn(): Promise<void> {
    this.output = '';
    this.sessions = 0;
    const child = track(spawn(interopPython(), [join(__dirname, 'peers', 'asyncua_plc.py'), '--port', String(this.port), ...this.args], { stdio: ['ignore', 'pipe', 'pipe'] }));
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer) => {
      this.output += chunk.toString();
      for (const [, n] of chunk.toString().matchAll(/sessions (\d+)/g)) {
        this.sessions = Number(n);
        this.maxSessions = Math.max(this.maxSessions, this.sessions);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    await waitFor(`asyncua PLC on ${this.port}`, () => {
      if (child.exitCode !== null) throw new Error(`asyncua PLC exited:\n${this.output}`);
      return this.output.includes('READY');
    }, { timeoutMs: 30_000 });
  }

  /** SIGKILL, as a power cut: the server never says goodbye to its sessions. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await exited(child);
  }
}

export interface OpcuaGatewayUnderTest {
  gateway: ServiceProcess;
  root: string;
  pkiDir: string;
  brokers: string;
  topic(name: string): string;
}

/** Starts the built opcua-gateway with this test's own topic prefix and PKI folder; `config` is optional, as with zero-config discovery. */
export async function startOpcuaGateway(
  infra: Infra,
  options: { config?: Record<string, unknown>; env?: Record<string, string>; waitReady?: boolean; root?: string; pkiDir?: string; instanceId?: string; secrets?: readonly string[] } = {},
): Promise<OpcuaGatewayUnderTest> {
  const root = options.root ?? freshName('opcua');
  const pkiDir = options.pkiDir ?? mkdtempSync(join(tmpdir(), 'fieldlink-pki-'));
  const gateway = await ServiceProcess.start(
    'opcua-gateway',
    {
      ...(options.config ? { FIELDLINK_CONFIG: writeConfig(options.config) } : {}),
      KAFKA_BROKERS: infra.kafkaBrokers,
      TOPIC_PREFIX: `${root}.`,
      GATEWAY_INSTANCE_ID: options.instanceId ?? root,
      OPCUA_PKI_DIR: pkiDir,
      SPOOL_DIR: mkdtempSync(join(tmpdir(), 'fieldlink-spool-')),
      LOG_LEVEL: 'info',
      ...options.env,
    },
    { waitReady: options.waitReady ?? true, secrets: options.secrets ?? [] },
  );
  return { gateway, root, pkiDir, brokers: infra.kafkaBrokers, topic: (name) => `${root}.${name}` };
}
