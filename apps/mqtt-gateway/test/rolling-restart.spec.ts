import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { type CommandResult } from '@fieldlink/schemas';
import { type Infra, type MqttGatewayUnderTest, command, exited, freshName, mosquittoSub, produce, readTopic, sharedInfra, startMqttGateway, track, waitFor } from '@fieldlink/testing';

const DEVICES = ['pump-1', 'pump-2', 'pump-3', 'pump-4'];
const COMMAND_EVERY_MS = 100;
const REPORT_EVERY_MS = 200;

/** Replica `n` of a two-replica deployment: one config (shared subscriptions, one delivery group), its own instance id and client id. */
function replica(infra: Infra, root: string, n: number): Promise<MqttGatewayUnderTest> {
  return startMqttGateway(infra, {
    root,
    clientId: `fieldlink-${root}-${n}`,
    env: { GATEWAY_INSTANCE_ID: `${root}-${n}` },
    config: () => ({
      mappings: [{ name: 'telemetry', topic: `${root}/sensors/{deviceId}/data`, shareGroup: root }],
      commands: { topic: `${root}/commands/{deviceId}`, deliveryGroup: `${root}-replicas` },
    }),
  });
}

describe('mqtt-gateway replicas restarted one at a time', () => {
  const replicas: MqttGatewayUnderTest[] = [];
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.gateway.stop()));
  });

  it('give every command produced every 100 ms during a rolling restart exactly one result, none failed, and publish it once', async () => {
    const infra = await sharedInfra();
    const root = freshName('rolling');
    for (const n of [0, 1]) replicas.push(await replica(infra, root, n));
    const [first] = replicas;
    if (!first) throw new Error('no replica');
    let stopDevices = (): Promise<void> => Promise.resolve();
    const published = await mosquittoSub(infra.mqttPort, `${root}/commands/+`, `${root}/commands/probe`);
    try {
      // Devices keep reporting, so the broker hands their messages to either replica throughout.
      const devices = DEVICES.map((d) => track(spawn('mosquitto_pub', ['-p', String(infra.mqttPort), '-q', '1', '-t', `${root}/sensors/${d}/data`, '-l'], { stdio: ['pipe', 'ignore', 'ignore'] })));
      let t = 0;
      const reporting = setInterval(() => devices.forEach((d) => d.stdin?.write(`{"t":${t++}}\n`)), REPORT_EVERY_MS);
      stopDevices = async () => {
        clearInterval(reporting);
        devices.forEach((d) => d.stdin?.end());
        await Promise.all(devices.map((d) => exited(d)));
      };
      await waitFor('every device in the registry', async () => {
        const keys = new Set((await readTopic(first.brokers, first.topic('devices'))).map((r) => r.key));
        return DEVICES.every((d) => keys.has(d));
      }, { timeoutMs: 30_000 });

      const sent: string[] = [];
      let producing = true;
      const producer = (async () => {
        for (let i = 0; producing; i++) {
          const next = Date.now() + COMMAND_EVERY_MS;
          const c = command(DEVICES[i % DEVICES.length] ?? 'pump-1', 'set', { args: { i } });
          await produce(first.brokers, first.topic('commands'), c.deviceId, JSON.stringify(c));
          sent.push(c.id);
          await sleep(Math.max(0, next - Date.now()));
        }
      })();
      for (const r of replicas) {
        await waitFor('commands flowing', () => sent.length >= 20, { timeoutMs: 30_000 });
        await r.gateway.stop(); // SIGTERM
        await r.gateway.spawn();
        const before = sent.length;
        await waitFor('commands after the restart', () => sent.length >= before + 20, { timeoutMs: 30_000 });
      }
      producing = false;
      await producer;
      await stopDevices();

      const readResults = async () => (await readTopic(first.brokers, first.topic('command-results'))).map((r) => JSON.parse(r.payload ?? '') as CommandResult);
      // On a timeout the assertions below name the commands without a result.
      const results = await waitFor('a result for every command', async () => {
        const all = await readResults();
        const ids = new Set(all.map((r) => r.id));
        return sent.every((id) => ids.has(id)) ? all : false;
      }, { timeoutMs: 60_000 }).catch(readResults);
      const byId = new Map<string, CommandResult[]>();
      for (const r of results) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
      expect(sent.filter((id) => byId.get(id)?.length !== 1)).toEqual([]);
      expect(sent.map((id) => byId.get(id)?.[0]).filter((r) => r?.status !== 'delivered').map((r) => [r?.id, r?.status, r?.code, r?.detail])).toEqual([]);
      // Both replicas delivered some: the group shared the work.
      expect(new Set(results.map((r) => r.gateway))).toEqual(new Set([`${root}-0`, `${root}-1`]));
      await waitFor('every command on the broker', () => sent.every((id) => published.lines.some((line) => line.includes(id))), { timeoutMs: 30_000 });
      expect(sent.filter((id) => published.lines.filter((line) => line.includes(id)).length !== 1)).toEqual([]);
      process.stdout.write(`mqtt rolling restart: ${sent.length} commands, each one delivered result\n`);
    } finally {
      published.close();
      await stopDevices();
    }
  });
});
