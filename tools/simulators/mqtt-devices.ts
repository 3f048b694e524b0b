/**
 * Simulated machines on MQTT: each has its own connection, announces itself on
 * devices/<id>/status (with an "offline" last will), publishes telemetry on sensors/<id>/data
 * and obeys the commands it receives on commands/<id>.
 *
 *   node --import tsx tools/simulators/mqtt-devices.ts [--devices 5] [--url mqtt://127.0.0.1:1883] [--client-prefix sim] [fleet options, see fleet.ts]
 */
import { connect, type MqttClient } from 'mqtt';
import { MACHINE } from './device-classes';
import { Fleet, fleetArgs, parseCommand } from './fleet';

const args = fleetArgs({
  url: { type: 'string', default: process.env['MQTT_URL'] ?? 'mqtt://127.0.0.1:1883' },
  'client-prefix': { type: 'string', default: 'sim' },
});
const url = String(args.values.url);
const fleet = new Fleet({ name: 'mqtt-sim', ...MACHINE }, args);

const clients = new Map<string, MqttClient>();
for (const device of fleet.devices) {
  const id = device.id;
  const client = connect(url, { clientId: `${String(args.values['client-prefix'])}-${id}`, will: { topic: `devices/${id}/status`, payload: Buffer.from('offline'), qos: 1, retain: true } });
  client.on('connect', () => {
    void client.publishAsync(`devices/${id}/status`, JSON.stringify({ status: 'online', firmware: '2.4.1' }), { qos: 1, retain: true });
    void client.subscribeAsync(`commands/${id}`, { qos: 1 });
  });
  client.on('message', (_topic, payload) => fleet.obey(id, parseCommand(payload)));
  client.on('error', (err) => console.error(`[${id}] ${err.message}`));
  clients.set(id, client);
}


fleet.run(
  {
    async send(device, values, now) {
      const client = clients.get(device.id);
      if (!client?.connected) throw new Error(`${device.id} is not connected to ${url}`);
      await client.publishAsync(`sensors/${device.id}/data`, JSON.stringify({ ts: now, ...values }), { qos: 1 });
    },
    async close() {
      await Promise.all([...clients.values()].map((c) => c.endAsync()));
    },
  },
  url,
);
