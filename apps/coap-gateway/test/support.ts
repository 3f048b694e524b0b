import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Infra, type MemoryCgroup, ServiceProcess, exited, freePort, freshName, run, track, writeConfig } from '@fieldlink/testing';

export interface CoapGatewayUnderTest {
  gateway: ServiceProcess;
  coapPort: number;
  root: string;
  topic(name: string): string;
  brokers: string;
}

/**
 * Starts the built coap-gateway on a free UDP port with this test's own Kafka topic prefix.
 * `cgroup`: under its memory limit; `secrets`: what it must never print (ServiceProcess);
 * `bundleDir`: a production bundle installed there (installBundle), not the workspace's build output.
 */
export async function startCoapGateway(
  infra: Infra,
  config: Record<string, unknown> = {},
  brokers = infra.kafkaBrokers,
  options: { cgroup?: MemoryCgroup; secrets?: readonly string[]; bundleDir?: string } = {},
): Promise<CoapGatewayUnderTest> {
  const root = freshName('coap');
  const coapPort = await freePort();
  const gateway = await ServiceProcess.start('coap-gateway', {
    FIELDLINK_CONFIG: writeConfig({ topics: { partitions: 3 }, ...config }),
    KAFKA_BROKERS: brokers,
    COAP_PORT: String(coapPort),
    TOPIC_PREFIX: `${root}.`,
    GATEWAY_INSTANCE_ID: root,
    LOG_LEVEL: 'info',
    ...(options.bundleDir ? { NODE_PATH: '' } : {}),
  }, {
    secrets: options.secrets ?? [],
    ...(options.cgroup ? { cgroup: options.cgroup } : {}),
    ...(options.bundleDir ? { dir: options.bundleDir } : {}),
  });
  return { gateway, coapPort, root, topic: (name) => `${root}.${name}`, brokers };
}

export interface CoapAnswer {
  /** The response code, e.g. 2.04, from coap-client-notls's verbose output. */
  code: string | undefined;
  output: string;
}

/** One confirmable request with a body (POST unless told) with libcoap's coap-client-notls (not our code); `extra` are more of its arguments, e.g. -O for an option. */
export async function coapClientPost(port: number, path: string, payload: Buffer, contentFormat?: number, host = '127.0.0.1', method = 'post', extra: string[] = []): Promise<CoapAnswer> {
  const file = join(tmpdir(), `${freshName('coap-body')}.bin`);
  writeFileSync(file, payload);
  const address = host.includes(':') ? `[${host}]` : host;
  const args = ['-m', method, '-v', '7', '-B', '10', '-f', file, ...(contentFormat === undefined ? [] : ['-t', String(contentFormat)]), ...extra, `coap://${address}:${port}/${path}`];
  const result = await run('coap-client-notls', args, { timeoutMs: 30_000 });
  const output = `${result.stdout}\n${result.stderr}`;
  return { code: responseCode(output), output };
}

/** One confirmable GET; `payload` is what coap-client-notls prints of the answer's body. */
export async function coapClientGet(port: number, path: string, extra: string[] = []): Promise<CoapAnswer & { payload: string }> {
  const quiet = await run('coap-client-notls', ['-m', 'get', '-B', '10', ...extra, `coap://127.0.0.1:${port}/${path}`], { timeoutMs: 30_000 });
  const verbose = await run('coap-client-notls', ['-m', 'get', '-v', '7', '-B', '10', ...extra, `coap://127.0.0.1:${port}/${path}`], { timeoutMs: 30_000 });
  const output = `${verbose.stdout}\n${verbose.stderr}`;
  return { code: responseCode(output), output, payload: quiet.stdout.trim() };
}

/** libcoap's debug dump names the response code of the answer it got, e.g. "v:1 t:ACK c:2.04 i:1a2b". */
function responseCode(output: string): string | undefined {
  const codes = [...output.matchAll(/t:(?:ACK|CON|NON) c:(\d\.\d\d)/g)].map((m) => m[1]).filter((c) => c !== '0.00');
  return codes.at(-1);
}

/** libcoap's coap-client-notls observing a resource for `seconds`; `output` resolves with what it printed when it exits. */
export function coapClientObserve(port: number, path: string, seconds: number): { child: ChildProcess; output: Promise<string> } {
  const child = track(spawn('coap-client-notls', ['-m', 'get', '-s', String(seconds), '-B', String(seconds + 5), `coap://127.0.0.1:${port}/${path}`], { stdio: ['ignore', 'pipe', 'pipe'] }));
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: exited(child).then(() => output) };
}

