import { spawn } from 'node:child_process';
import { type Infra, LocalService, ServiceProcess, freshName, run, sharedInfra, waitFor } from '@fieldlink/testing';
import { readJson } from './support';

interface AlertOut {
  deviceId: string;
  state: string;
  value: number;
}

/** mosquitto_sub (not our code) on commands/+, printing "topic payload" lines. */
function subscribeCommands(port: number): { lines: () => string[]; subscribed: () => boolean; stop: () => void } {
  const child = spawn('stdbuf', ['-oL', 'mosquitto_sub', '-p', String(port), '-q', '1', '-v', '-d', '-t', 'commands/+'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
  return {
    lines: () => output.split('\n').filter((l) => l.startsWith('commands/')),
    subscribed: () => output.includes('SUBACK'),
    stop: () => child.kill('SIGKILL'),
  };
}

describe('mqtt-gateway → stream-processor → mqtt-gateway, on their defaults', () => {
  let infra: Infra;
  // Its own Mosquitto: on their defaults the gateway takes every sensors/+/data, so on the shared
  // broker it would also take the readings of npm start's devices (tools/start/start.spec.ts).
  let mosquitto: LocalService;
  const services: ServiceProcess[] = [];

  beforeAll(async () => {
    infra = await sharedInfra();
    mosquitto = await LocalService.mosquitto();
  });
  afterAll(async () => {
    await Promise.all(services.map((s) => s.kill()));
    await mosquitto?.dispose();
  });

  it('a 95 °C spike raises an alert and one shutdown (no throttle) that reaches commands/<device> over MQTT; a 60 °C spike one throttle', async () => {
    const root = freshName('e2e');
    const env = { KAFKA_BROKERS: infra.kafkaBrokers, TOPIC_PREFIX: `${root}.`, GATEWAY_INSTANCE_ID: root, LOG_LEVEL: 'info' };
    services.push(await ServiceProcess.start('stream-processor', env));
    services.push(await ServiceProcess.start('mqtt-gateway', { ...env, MQTT_URL: `mqtt://${mosquitto.address}`, MQTT_CLIENT_ID: `fieldlink-${root}` }));
    const devices = [0, 1, 2].map((d) => `${root}-dev${d}`);
    const hot = `${root}-dev1`;
    const warm = `${root}-dev2`;
    const subscriber = subscribeCommands(mosquitto.port);
    try {
      await waitFor('mosquitto_sub subscribed', () => subscriber.subscribed(), { timeoutMs: 10_000 });
      for (const device of devices) {
        // Past the default detector's warm-up (60 readings).
        const lines = Array.from({ length: 70 }, (_, i) => JSON.stringify({ temperature: 20 + (i % 5) / 10 }));
        const pub = await run('mosquitto_pub', ['-p', String(mosquitto.port), '-q', '1', '-t', `sensors/${device}/data`, '-l'], { input: lines.join('\n') + '\n' });
        expect(pub.code).toBe(0);
      }
      const spike = await run('mosquitto_pub', ['-p', String(mosquitto.port), '-q', '1', '-t', `sensors/${hot}/data`, '-m', '{"temperature": 95}']);
      expect(spike.code).toBe(0);
      const warmSpike = await run('mosquitto_pub', ['-p', String(mosquitto.port), '-q', '1', '-t', `sensors/${warm}/data`, '-m', '{"temperature": 60}']);
      expect(warmSpike.code).toBe(0);

      const alerts = await waitFor('an alert', async () => {
        const got = await readJson<AlertOut>(infra.kafkaBrokers, `${root}.alerts`);
        return got.length > 0 ? got : undefined;
      }, { timeoutMs: 60_000 });
      expect(alerts).toEqual(expect.arrayContaining([expect.objectContaining({ deviceId: hot, state: 'raised', value: 95 })]));
      expect(alerts.filter((a) => a.deviceId !== hot && a.deviceId !== warm)).toEqual([]);

      // One reading's commands are produced together, so once one is readable a conflicting one would be too.
      const decided = await waitFor('a command for each spiking device', async () => {
        const got = await readJson<{ deviceId: string; action: string; args: { reason?: string } }>(infra.kafkaBrokers, `${root}.commands`);
        return got.some((c) => c.deviceId === hot) && got.some((c) => c.deviceId === warm) ? got : undefined;
      }, { timeoutMs: 60_000 });
      expect(decided.filter((c) => c.deviceId === hot).map((c) => [c.action, c.args.reason])).toEqual([['shutdown', 'emergency_response']]);
      expect(decided.filter((c) => c.deviceId === warm).map((c) => [c.action, c.args.reason])).toEqual([['throttle', 'emergency_response']]);
      expect(decided.filter((c) => c.deviceId !== hot && c.deviceId !== warm)).toEqual([]);

      const commands = await waitFor('shutdown over MQTT', () => {
        const lines = subscriber.lines();
        return lines.some((l) => l.startsWith(`commands/${hot} `) && l.includes('"shutdown"')) ? lines : undefined;
      }, { timeoutMs: 60_000 });
      const received = commands.map((l) => ({ topic: l.slice(0, l.indexOf(' ')), body: JSON.parse(l.slice(l.indexOf(' ') + 1)) as { action: string } }));
      const ours = received.filter((c) => c.topic === `commands/${hot}`);
      expect(ours.map((c) => c.body.action)).toEqual(['shutdown']);
    } finally {
      subscriber.stop();
    }
  });
});
