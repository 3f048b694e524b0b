import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CommandResult, type Telemetry } from '@fieldlink/schemas';
import { interopPython, produce, readTopic, type ServiceProcess, sharedInfra, startMqttGateway, waitFor, waitForRecords, workspaceRoot } from '@fieldlink/testing';
import { parse as parseYaml } from 'yaml';

const READINGS = 20;

type Event = { ready?: true; published?: number; timestamp?: number; command?: Record<string, unknown> };

/** The shipped example config, with this test's topic root in front of every MQTT topic. */
function exampleConfig(root: string): Record<string, unknown> {
  const example = parseYaml(readFileSync(join(workspaceRoot(), 'apps/mqtt-gateway/examples/edge-client.yaml'), 'utf8')) as {
    mappings: { topic: string; command?: { topic?: string } }[];
    commands: { topic: string };
  };
  return {
    ...example,
    mappings: example.mappings.map((m) => ({ ...m, topic: `${root}/${m.topic}`, ...(m.command?.topic ? { command: { ...m.command, topic: `${root}/${m.command.topic}` } } : {}) })),
    commands: { ...example.commands, topic: `${root}/${example.commands.topic}` },
  };
}

describe('interop with the seed edge client on Python paho-mqtt', () => {
  let gateway: ServiceProcess | undefined;
  let stopClient: (() => void) | undefined;
  afterEach(async () => {
    stopClient?.();
    await gateway?.stop();
  });

  it('maps its epoch-seconds payload with examples/edge-client.yaml and sends it {"type": ...} commands', async () => {
    const infra = await sharedInfra();
    const started = await startMqttGateway(infra, { config: exampleConfig });
    gateway = started.gateway;
    const sensor = `${started.root}-s1`;

    const events: Event[] = [];
    const client = spawn(interopPython(), [join(__dirname, 'peers', 'edge_client.py'), String(infra.mqttPort), `${started.root}/`, sensor, String(READINGS)], { stdio: ['pipe', 'pipe', 'inherit'] });
    stopClient = () => client.stdin.end();
    let buffer = '';
    client.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      events.push(...lines.filter(Boolean).map((line) => JSON.parse(line) as Event));
    });

    const published = await waitFor('the client to publish every reading', () => {
      const sent = events.filter((e) => e.published !== undefined);
      return sent.length === READINGS ? sent : undefined;
    });
    const records = await waitForRecords(started.brokers, started.topic('telemetry'), READINGS);
    const envelopes = records.map((r) => JSON.parse(r.payload ?? '') as Telemetry);
    expect(records.every((r) => r.key === sensor)).toBe(true);
    expect(envelopes.map((t) => t.deviceId)).toEqual(published.map(() => sensor));
    // time.time() seconds to the millisecond, in publish order.
    expect(envelopes.map((t) => t.eventTime)).toEqual(published.map((e) => new Date(Math.round((e.timestamp ?? 0) * 1000)).toISOString()));
    for (const [n, t] of envelopes.entries()) {
      expect(Object.keys(t.values).sort()).toEqual(['motor.rpm', 'temperature']);
      expect(t.values['motor.rpm']?.value).toBe(1000 + n);
    }

    const reboot = { schemaVersion: 1, id: `${started.root}-reboot`, deviceId: sensor, action: 'reboot' };
    const update = { schemaVersion: 1, id: `${started.root}-update`, deviceId: sensor, action: 'update_config', args: { config: { interval: 5 } } };
    await produce(started.brokers, started.topic('commands'), sensor, JSON.stringify(reboot));
    await produce(started.brokers, started.topic('commands'), sensor, JSON.stringify(update));
    const commands = await waitFor('both commands at the client', () => {
      const got = events.filter((e) => e.command).map((e) => e.command);
      return got.length >= 2 ? got : undefined;
    });
    expect(commands).toEqual([{ type: 'reboot' }, { type: 'update_config', config: { interval: 5 } }]);
    const results = (await readTopic(started.brokers, started.topic('command-results'))).map((r) => JSON.parse(r.payload ?? '') as CommandResult);
    expect(results.map((r) => [r.id, r.status])).toEqual([
      [reboot.id, 'delivered'],
      [update.id, 'delivered'],
    ]);
  });
});
