/**
 * npm start, after tools/dev/start.sh has started Kafka and Mosquitto and built the apps: runs
 * the five services and a simulator per protocol, shows a live view refreshed every second, and
 * on Ctrl-C stops everything it started. A status snapshot is written to <dir>/status.json every
 * second (for scripts and the test that runs npm start); logs are in <dir>/logs.
 *
 *   TSX_TSCONFIG_PATH=tools/tsconfig.json node --import tsx tools/start/main.ts [--plain] [--dir <dir>] [--check-after <seconds>]
 * --check-after: once the services have been ready that long, print how many raised alerts an
 * injected anomaly explains, stop, and exit 1 if any is unexplained.
 * Environment (set by start.sh): FIELDLINK_ROOT, FIELDLINK_STATE, KAFKA_PORT, SASL_KAFKA_PORT,
 * SASL_KAFKA_USER, KAFKA_SASL_PASSWORD, KAFKA_CA_FILE, MQTT_PORT; optional TOPIC_PREFIX (fieldlink.),
 * START_INSTANCE (local), START_HTTP_PORT_BASE (8080), COAP_PORT (5683), OPCUA_PORT (4840), SIM_SEED (1).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { topicMap } from '@fieldlink/schemas';
import { serviceNodeFlags } from '@fieldlink/testing';
import { EventFeed, ServiceProbe, type Snapshot, alertFor } from './live-view';
import { render } from './render';
import { type SimulatorSpec, type StackOptions, deviceSimulators, plcSimulator, serviceSpecs } from './stack';
import { Supervised } from './supervisor';

const { values: flags } = parseArgs({
  options: { plain: { type: 'boolean', default: !process.stdout.isTTY }, dir: { type: 'string' }, 'check-after': { type: 'string' } },
});

function env(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === '') {
    console.error(`npm start: ${name} is not set; run it as npm start (tools/dev/start.sh sets it)`);
    process.exit(2);
  }
  return value;
}

const root = env('FIELDLINK_ROOT');
const dir = flags.dir ?? join(env('FIELDLINK_STATE'), 'start');
const options: StackOptions = {
  root,
  dir,
  topicPrefix: env('TOPIC_PREFIX', 'fieldlink.'),
  instance: env('START_INSTANCE', 'local'),
  kafka: { brokers: [`127.0.0.1:${env('SASL_KAFKA_PORT')}`], caFile: env('KAFKA_CA_FILE'), username: env('SASL_KAFKA_USER'), password: env('KAFKA_SASL_PASSWORD') },
  mqttUrl: `mqtt://127.0.0.1:${env('MQTT_PORT')}`,
  httpPortBase: Number(env('START_HTTP_PORT_BASE', '8080')),
  coapPort: Number(env('COAP_PORT', '5683')),
  opcuaPort: Number(env('OPCUA_PORT', '4840')),
  devices: { mqtt: 10, coap: 5, opcua: 4, dds: 4 },
  seed: Number(env('SIM_SEED', '1')),
  firstAnomalyMs: 75_000,
  anomalyEveryMs: 60_000,
};
const logs = join(dir, 'logs');
const pidsFile = join(dir, 'pids.json');
const say = (msg: string): void => console.log(`[npm start] ${msg}`);

const children: Supervised[] = [];
const probes: ServiceProbe[] = [];
const topics = topicMap(options.topicPrefix);
const feed = new EventFeed(`127.0.0.1:${env('KAFKA_PORT')}`, topics);
const startedAt = new Date().toISOString();
let readyAt: string | null = null;
let stopping = false;

function launch(name: string, command: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}, onLine?: (line: string) => void): Supervised {
  const child = new Supervised({ name, command, args, env: extraEnv, cwd: root, logFile: join(logs, `${name}.log`), ...(onLine ? { onLine } : {}) });
  child.start();
  children.push(child);
  writeFileSync(pidsFile, JSON.stringify(children.map((c) => c.pid)));
  return child;
}

/** A previous npm start that was killed (not stopped with Ctrl-C) may have left its children. */
function stopLeftovers(): void {
  if (!existsSync(pidsFile)) return;
  for (const pid of JSON.parse(readFileSync(pidsFile, 'utf8')) as number[]) {
    const cmdline = existsSync(`/proc/${pid}/cmdline`) ? readFileSync(`/proc/${pid}/cmdline`, 'utf8') : '';
    if (!cmdline.includes(root)) continue;
    say(`stopping process ${pid} left by an earlier npm start`);
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  rmSync(pidsFile);
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, failed: () => string | null): Promise<void> {
  const started = Date.now();
  let told = started;
  while (!(await check().catch(() => false))) {
    const failure = failed();
    if (failure) throw new Error(failure);
    if (Date.now() - started > timeoutMs) throw new Error(`${what} did not happen within ${timeoutMs / 1000} s`);
    if (Date.now() - told >= 10_000) {
      say(`still waiting for ${what} (${Math.round((Date.now() - started) / 1000)} s)`);
      told = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function exitedMessage(child: Supervised): string | null {
  if (child.running) return null;
  const log = join(logs, `${child.name}.log`);
  const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-25).join('\n') : '';
  return `${child.name} exited (${child.exitCode ?? child.exitSignal}); the end of ${log}:\n${tail}`;
}

async function startService(spec: ReturnType<typeof serviceSpecs>[number]): Promise<void> {
  const main = join(root, 'dist', 'apps', spec.name, 'main.js');
  const child = launch(spec.name, process.execPath, [...serviceNodeFlags(spec.name), main], spec.env);
  probes.push(new ServiceProbe(spec.name, spec.httpPort, spec.metrics, () => child.running));
  await waitUntil(`${spec.name} to be ready on http://127.0.0.1:${spec.httpPort}/health/ready`, async () => (await fetch(`http://127.0.0.1:${spec.httpPort}/health/ready`)).status === 200, 120_000, () => exitedMessage(child));
  say(`${spec.name} ready (log: ${join(logs, `${spec.name}.log`)})`);
}

function startSimulator(spec: SimulatorSpec): Supervised {
  const script = join(root, 'tools', 'simulators', spec.script);
  return launch(spec.name, process.execPath, ['--import', 'tsx', script, ...spec.args], {}, (line) => feed.simulatorLine(spec.name, line));
}

function snapshot(): Snapshot {
  return {
    startedAt,
    readyAt,
    services: probes.map((p) => p.row),
    anomalies: feed.anomalies,
    alerts: feed.alerts,
    commands: feed.commandRows,
    children: children.map((c) => ({ name: c.name, pid: c.pid, running: c.running })),
  };
}

const hints = (): string[] => [
  `Logs: ${logs}   Configs: ${dir}`,
  `Kafka (PLAINTEXT for tools): kcat -b 127.0.0.1:${env('KAFKA_PORT')} -C -t ${topics.alerts} -o end`,
  `Metrics: http://127.0.0.1:${options.httpPortBase}/metrics … :${options.httpPortBase + 4} (${probes.map((p) => p.name).join(', ')})`,
];

async function refresh(): Promise<void> {
  await Promise.all(probes.map((p) => p.poll()));
  const snap = snapshot();
  writeFileSync(join(dir, 'status.json'), JSON.stringify(snap));
  if (stopping) return;
  if (!flags.plain) {
    const lines = render(snap, hints(), process.stdout.columns || 120);
    process.stdout.write(`\x1b[H\x1b[2J${lines.join('\n')}\n`);
  }
}

let lastPlain = 0;
function plainProgress(): void {
  if (!flags.plain || stopping || Date.now() - lastPlain < 10_000) return;
  lastPlain = Date.now();
  const snap = snapshot();
  const rates = snap.services.map((s) => `${s.name} ${s.state} ${s.inPerSec.toFixed(1)}/s`).join(', ');
  say(`${rates}; anomalies ${snap.anomalies.length}, alerts ${snap.alerts.length}, commands ${snap.commands.length}`);
}

let stoppingSince = 0;
async function stopAll(code: number): Promise<never> {
  // npm forwards the terminal's SIGINT, so one Ctrl-C can arrive twice; a second one later does not wait.
  if (stopping) {
    if (Date.now() - stoppingSince < 2000) return new Promise<never>(() => undefined);
    say('stopping now, without waiting');
    process.exit(code);
  }
  stopping = true;
  stoppingSince = Date.now();
  say('stopping the simulators, then the gateways, then the stream processor');
  const group = (names: (n: string) => boolean) => Promise.all(children.filter((c) => names(c.name)).map((c) => c.stop()));
  await group((n) => n.endsWith('-sim'));
  await group((n) => n.endsWith('-gateway'));
  await group(() => true);
  feed.stop();
  rmSync(pidsFile, { force: true });
  say(`stopped ${children.length} processes. Kafka and Mosquitto keep running: npm run infra:down stops them.`);
  process.exit(code);
}

/** Every alert raised should be one an injected anomaly explains (same device and metric, just after it). */
async function check(seconds: number): Promise<void> {
  const snap = snapshot();
  const raised = snap.alerts.filter((a) => a.state === 'raised');
  const unexplained = raised.filter((a) => !snap.anomalies.some((an) => alertFor(an, [a])));
  say(`check after ${seconds} s: ${snap.anomalies.length} anomalies injected, ${raised.length} alerts raised, ${raised.length - unexplained.length} explained by an injected anomaly, ${unexplained.length} unexplained`);
  for (const a of unexplained) say(`  unexplained: ${a.eventTime} ${a.deviceId} ${a.metric} = ${a.value} (score ${a.score.toFixed(2)}, ${a.detector})`);
  await stopAll(unexplained.length === 0 ? 0 : 1);
}

async function main(): Promise<void> {
  mkdirSync(logs, { recursive: true });
  stopLeftovers();
  const services = serviceSpecs(options);
  const busy = [];
  for (const port of [...services.map((s) => s.httpPort), options.opcuaPort]) if (await portInUse(port)) busy.push(port);
  if (busy.length > 0) throw new Error(`port ${busy.join(', ')} is in use on 127.0.0.1 (another npm start?); stop it, or set START_HTTP_PORT_BASE / OPCUA_PORT`);
  say(`starting the services (logs in ${logs})`);
  const opcua = services.find((s) => s.name === 'opcua-gateway');
  const others = services.filter((s) => s !== opcua);
  // The PLC is a server: up before its gateway, so the gateway's first connection succeeds.
  const plc = startSimulator(plcSimulator(options));
  await waitUntil(`the simulated PLC on opc.tcp://127.0.0.1:${options.opcuaPort}`, () => portInUse(options.opcuaPort), 60_000, () => exitedMessage(plc));
  await Promise.all([...others.map(startService), ...(opcua ? [startService(opcua)] : [])]);
  feed.start();
  for (const sim of deviceSimulators(options)) startSimulator(sim);
  readyAt = new Date().toISOString();
  say(`all services ready; simulators started. The first anomalies are injected about ${options.firstAnomalyMs / 1000} s from now.`);
  const checkAfter = flags['check-after'];
  if (checkAfter !== undefined) {
    const seconds = Number(checkAfter);
    if (!(seconds > 0)) throw new Error(`--check-after must be a number of seconds, got ${checkAfter}`);
    setTimeout(() => void check(seconds), seconds * 1000);
  }
  const reported = new Set<string>();
  setInterval(() => {
    void refresh().then(plainProgress);
    for (const child of children.filter((c) => !c.running && !reported.has(c.name) && !stopping)) {
      reported.add(child.name);
      if (flags.plain) say(exitedMessage(child) ?? '');
    }
  }, 1000);
}

// A second Ctrl-C does not wait: the exit hook SIGKILLs every group.
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
process.once('exit', () => children.forEach((c) => c.killNow()));
main().catch((error: unknown) => {
  say(error instanceof Error ? error.message : String(error));
  void stopAll(1);
});
