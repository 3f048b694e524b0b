/**
 * Simulated MQTT field devices: each has its own connection, announces itself
 * on devices/<id>/status (with an "offline" last will), publishes telemetry on
 * sensors/<id>/data and prints the commands it receives on commands/<id>.
 *
 *   tsx tools/simulators/mqtt-devices.ts [--devices 20] [--interval-ms 1000] [--url mqtt://127.0.0.1:1883]
 */
import { parseArgs } from 'node:util';
import { connect, type MqttClient } from 'mqtt';

const { values: args } = parseArgs({
  options: {
    devices: { type: 'string', default: '20' },
    'interval-ms': { type: 'string', default: '1000' },
    url: { type: 'string', default: process.env['MQTT_URL'] ?? 'mqtt://127.0.0.1:1883' },
    prefix: { type: 'string', default: 'sim' },
  },
});
const deviceCount = positiveInt('devices', args.devices);
const intervalMs = positiveInt('interval-ms', args['interval-ms']);

function positiveInt(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`--${name} must be a positive integer`);
    process.exit(2);
  }
  return value;
}

/** A machine whose readings drift slowly, follow a daily cycle and carry sensor noise. */
class Device {
  private seq = 0;
  private drift = 0;
  private running = true;
  readonly client: MqttClient;

  constructor(readonly id: string) {
    this.client = connect(args.url, {
      clientId: `sim-${id}`,
      will: { topic: `devices/${id}/status`, payload: Buffer.from('offline'), qos: 1, retain: true },
    });
    this.client.on('connect', () => {
      void this.client.publishAsync(`devices/${id}/status`, JSON.stringify({ status: 'online', firmware: '2.4.1' }), { qos: 1, retain: true });
      void this.client.subscribeAsync(`commands/${id}`, { qos: 1 });
    });
    this.client.on('message', (_topic, payload) => {
      console.log(`[${id}] command received: ${payload.toString()}`);
      const action = parseAction(payload);
      if (action === 'shutdown') this.running = false;
      if (action === 'start') this.running = true;
    });
    this.client.on('error', (err) => console.error(`[${id}] ${err.message}`));
  }

  reading(now: number): Record<string, number> {
    const hourAngle = ((now / 3_600_000) % 24) * (Math.PI / 12);
    this.drift += (Math.random() - 0.5) * 0.05;
    const base = this.running ? 60 : 25;
    return {
      seq: this.seq++,
      ts: now,
      temperature: round(base + 5 * Math.sin(hourAngle) + this.drift + gaussian() * 0.3),
      humidity: round(45 + 10 * Math.cos(hourAngle) + gaussian()),
      pressure: round(1013 + gaussian() * 0.8),
      vibration: round(this.running ? Math.abs(2 + gaussian() * 0.4) : 0),
    };
  }

  publish(now: number): void {
    if (this.client.connected) void this.client.publishAsync(`sensors/${this.id}/data`, JSON.stringify(this.reading(now)), { qos: 1 });
  }
}

function parseAction(payload: Buffer): unknown {
  try {
    return (JSON.parse(payload.toString()) as { action?: unknown }).action;
  } catch {
    return undefined; // a device ignores commands it cannot read
  }
}

function gaussian(): number {
  return Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

const devices = Array.from({ length: deviceCount }, (_, i) => new Device(`${args.prefix}-${String(i + 1).padStart(3, '0')}`));
let sent = 0;
const timer = setInterval(() => {
  const now = Date.now();
  devices.forEach((d) => d.publish(now));
  sent += devices.length;
}, intervalMs);
const progress = setInterval(() => console.log(`[simulator] ${deviceCount} devices, ${sent} readings published`), 10_000);
console.log(`[simulator] ${deviceCount} devices publishing every ${intervalMs} ms to ${args.url}`);

const stop = () => {
  clearInterval(timer);
  clearInterval(progress);
  void Promise.all(devices.map((d) => d.client.endAsync())).then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
