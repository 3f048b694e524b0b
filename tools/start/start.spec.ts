import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretGuard, exited, freePort, freshName, interopPython, mosquittoPub, run, sharedInfra, waitFor, workspaceRoot } from '@fieldlink/testing';
import { alertFor, type Snapshot } from './live-view';

jest.setTimeout(9 * 60_000);

/** `count` consecutive free TCP ports on 127.0.0.1, for the services' HTTP ports. */
async function freePortRange(count: number): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = createServer().once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = await freePort();
    const checks = await Promise.all(Array.from({ length: count }, (_, i) => free(base + i)));
    if (base + count < 65536 && checks.every(Boolean)) return base;
  }
  throw new Error(`no ${count} consecutive free ports`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * npm start as a new user runs it (tools/dev/start.sh, what the README's command runs), beside
 * anything else on this machine: its own topic prefix, instance name, ports and state folder.
 */
describe('npm start', () => {
  let child: ChildProcess | undefined;
  let output = '';
  const dir = mkdtempSync(join(tmpdir(), 'fieldlink-start-'));
  const status = (): Snapshot | null => (existsSync(join(dir, 'status.json')) ? (JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8')) as Snapshot) : null);

  /** The topic prefix of the run, once it has run: the next test reads what it wrote. */
  let ranWithPrefix: string | undefined;
  afterAll(() => {
    if (child?.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  });

  it('shows data over all four protocols and an injected anomaly\'s alert, command and result within 2 minutes of ready; Ctrl-C stops every process it started', async () => {
    const name = freshName('start');
    child = spawn('bash', [join(workspaceRoot(), 'tools', 'dev', 'start.sh'), '--plain', '--dir', dir], {
      env: {
        ...process.env,
        TOPIC_PREFIX: `${name}.`,
        START_INSTANCE: name,
        START_HTTP_PORT_BASE: String(await freePortRange(5)),
        COAP_PORT: String(await freePort()),
        OPCUA_PORT: String(await freePort()),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own group, like a terminal's foreground job, so the test can send it Ctrl-C's SIGINT.
      detached: true,
    });
    const append = (chunk: Buffer): void => void (output = (output + chunk.toString('utf8')).slice(-20_000));
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    // A wait ends at once, with npm start's output, if it exits.
    const died = exited(child).then((code) => Promise.reject(new Error(`npm start exited ${code}:\n${output}`)));
    died.catch(() => undefined);
    const unlessDied = <T>(wait: Promise<T>): Promise<T> => Promise.race([wait, died]);

    await unlessDied(waitFor('npm start to report every service ready', () => !!status()?.readyAt, { timeoutMs: 300_000, intervalMs: 1000 }));
    const readyAt = Date.parse(status()?.readyAt ?? '');

    // Within 2 minutes of ready: readings through every gateway, and an injected anomaly that
    // raised an alert on its device and metric, whose command got a result from the gateway.
    await unlessDied(waitFor(
      'data over all four gateways and an alert with its command and result',
      () => {
        const snap = status();
        if (!snap) return false;
        const gateways = snap.services.filter((s) => s.name.endsWith('-gateway'));
        const flowing = gateways.length === 4 && gateways.every((g) => g.state === 'ready' && g.inTotal > 0 && g.inPerSec > 0);
        const answered = snap.anomalies.some((a) => alertFor(a, snap.alerts) && snap.commands.some((c) => c.command.deviceId === a.deviceId && c.result && ['delivered', 'succeeded'].includes(c.result.status)));
        return flowing && answered;
      },
      { timeoutMs: 120_000, intervalMs: 1000 },
    ));
    expect(Date.now() - readyAt).toBeLessThan(125_000);
    // A broken device too, so the run's dead-letter topic holds a record for the consumer test below.
    const infra = await sharedInfra();
    await mosquittoPub(infra.mqttPort, `sensors/${name}-broken/data`, Buffer.from('{"temperature": 21.'));
    await unlessDied(waitFor('the broken reading dead-lettered', () => (status()?.services.find((s) => s.name === 'mqtt-gateway')?.deadLetters ?? 0) > 0, { timeoutMs: 30_000, intervalMs: 500 }));
    const snap = status();
    expect(snap?.services.map((s) => s.name).sort()).toEqual(['coap-gateway', 'dds-gateway', 'mqtt-gateway', 'opcua-gateway', 'stream-processor']);
    const pids = (snap?.children ?? []).map((c) => c.pid).filter((p): p is number => typeof p === 'number');
    expect(pids).toHaveLength(9);

    process.kill(-(child.pid ?? 0), 'SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const tooSlow = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`npm start did not stop within 60 s:\n${output}`)), 60_000)));
    await Promise.race([died.catch(() => undefined), tooSlow]).finally(() => clearTimeout(timer));
    expect(child.exitCode).toBe(0);
    expect(output).toContain('stopped 9 processes');
    expect(output).toContain('npm run infra:down');
    expect(pids.filter(alive)).toEqual([]);

    // Every service got the local Kafka's SASL password; none may have printed it, up to and including its shutdown.
    const state = process.env['FIELDLINK_STATE'] ?? join(workspaceRoot(), '.infra');
    const guard = new SecretGuard('npm start', [readFileSync(join(state, 'kafka-credentials', 'password'), 'utf8').trim()]);
    for (const text of [output, ...readdirSync(join(dir, 'logs')).map((f) => readFileSync(join(dir, 'logs', f), 'utf8'))]) {
      const lines = guard.stream();
      lines.write(text);
      lines.end();
    }
    expect(() => guard.assertClean()).not.toThrow();
    ranWithPrefix = `${name}.`;
  });

  it('wrote records a consumer written only from docs/topics.md reads on every topic, each valid against the published schema, telemetry deduped by id', async () => {
    if (!ranWithPrefix) throw new Error('npm start did not run');
    const { kafkaBrokers } = await sharedInfra();
    const consumer = join(workspaceRoot(), 'tools', 'docs', 'consumer.py');
    const schemas = join(workspaceRoot(), 'libs', 'schemas', 'json-schema');
    const result = await run(interopPython(), [consumer, '--brokers', kafkaBrokers, '--prefix', ranWithPrefix, '--schemas', schemas], { timeoutMs: 120_000 });
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout) as Record<string, { records: number; invalid: number; unknownVersion: number; keyMismatch: number; firstProblem: string | null; uniqueIds?: number }>;
    expect(Object.keys(report).sort()).toEqual(['alerts', 'command-results', 'commands', 'dead-letter', 'device-status', 'devices', 'telemetry', 'window-stats']);
    for (const [topic, found] of Object.entries(report)) {
      expect([topic, found.records > 0, found.invalid, found.unknownVersion, found.keyMismatch, found.firstProblem]).toEqual([topic, true, 0, 0, 0, null]);
    }
    expect(report['telemetry']?.uniqueIds).toBeGreaterThan(100);
  });
});
