import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KeyPair, type TestPki } from './certs';
import { track } from './children';
import { freePort } from './names';
import { exited, run } from './processes';
import { waitFor } from './wait-for';
import { workspaceRoot } from './workspace';

/** A SASL_SSL listener with SCRAM-SHA-512 and one user, beside the PLAINTEXT one. */
export interface KafkaSaslSsl {
  port: number;
  /** PEM file: private key and certificate chain. */
  keystore: string;
  username: string;
  password: string;
}

/**
 * A private broker run as a local process from tools/infra, for tests that stop,
 * kill or restart it. Its data directory survives restarts, like a real host's disk.
 */
export class LocalService {
  private child: ChildProcess | undefined;
  readonly dir: string;

  private constructor(
    private readonly script: string,
    private readonly args: string[],
    readonly port: number,
    private readonly ready: () => Promise<boolean>,
    private readonly env: NodeJS.ProcessEnv = {},
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'fieldlink-'));
  }

  /**
   * `advertisedPort`: the port clients are told to use after bootstrapping, for a fault proxy
   * in front of the broker. Clients must then bootstrap through the proxy too.
   */
  static async kafka(options: { port?: number; advertisedPort?: number; saslSsl?: KafkaSaslSsl } = {}): Promise<LocalService> {
    const [port, controllerPort] = [options.port ?? (await freePort()), await freePort()];
    const args = [String(port), String(controllerPort), String(options.advertisedPort ?? port)];
    const sasl = options.saslSsl;
    const env = sasl
      ? { KAFKA_SASL_SSL_PORT: String(sasl.port), KAFKA_SSL_KEYSTORE: sasl.keystore, KAFKA_SCRAM_USER: sasl.username, KAFKA_SCRAM_PASSWORD: sasl.password }
      : {};
    const service = new LocalService(
      'kafka.sh',
      args,
      port,
      async () => {
        const probe = await run('kcat', ['-b', `127.0.0.1:${port}`, '-L', '-m', '2'], { timeoutMs: 10_000 });
        return probe.code === 0;
      },
      env,
    );
    await service.start();
    return service;
  }

  /** `credentials`: the one user the broker lets in; without them, anyone. */
  static async mosquitto(options: { credentials?: { username: string; password: string } } = {}): Promise<LocalService> {
    const port = await freePort();
    const { credentials } = options;
    const login = credentials ? ['-u', credentials.username, '-P', credentials.password] : [];
    const env = credentials ? { MOSQUITTO_USERNAME: credentials.username, MOSQUITTO_PASSWORD: credentials.password } : {};
    const service = new LocalService(
      'mosquitto.sh',
      [String(port)],
      port,
      async () => {
        const probe = await run('mosquitto_pub', ['-p', String(port), ...login, '-t', 'probe', '-m', 'x'], { timeoutMs: 5000 });
        return probe.code === 0;
      },
      env,
    );
    await service.start();
    return service;
  }

  /**
   * Mosquitto with only a TLS listener that requires client certificates, the certificate CN as
   * username, and the device ACL of tools/infra/mosquitto-tls.sh.
   */
  static async mosquittoTls(pki: TestPki, probeAs: KeyPair): Promise<LocalService> {
    const port = await freePort();
    const tls = ['--cafile', pki.ca, '--cert', probeAs.cert, '--key', probeAs.key];
    const service = new LocalService('mosquitto-tls.sh', [String(port), pki.ca, pki.server.cert, pki.server.key], port, async () => {
      const probe = await run('mosquitto_pub', ['-p', String(port), ...tls, '-t', 'probe', '-m', 'x'], { timeoutMs: 5000 });
      return probe.code === 0;
    });
    await service.start();
    return service;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const script = join(workspaceRoot(), 'tools', 'infra', this.script);
    this.child = track(spawn('bash', [script, this.dir, ...this.args], { stdio: 'ignore', env: { ...process.env, ...this.env } }));
    await waitFor(`${this.script} on port ${this.port}`, () => this.ready(), { timeoutMs: 120_000, intervalMs: 500 });
  }

  /** SIGKILL: no clean shutdown, as in a crash. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async dispose(): Promise<void> {
    await this.signal('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await exited(child);
    this.child = undefined;
  }
}
