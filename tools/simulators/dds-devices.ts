/**
 * Simulated sensors on DDS: one RTI Connector participant writes the gateway's default type
 * (SensorData on SensorReadings, one instance per sensor) and reads DeviceCommands, which it
 * acknowledges as a reliable reader. Discovery stays on loopback: the participant uses the
 * gateway's own shipped QoS profile (no multicast, peers 127.0.0.1 and shmem, UDPv4 bound to
 * 127.0.0.1).
 *
 *   node --import tsx tools/simulators/dds-devices.ts [--devices 4] [--xml <gateway's XML>] [fleet options, see fleet.ts]
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connector } from 'rticonnextdds-connector';
import { DDS_SENSOR } from './device-classes';
import { Fleet, fleetArgs } from './fleet';

const DEFAULT_XML = join(__dirname, '..', '..', 'apps', 'dds-gateway', 'src', 'session', 'fieldlink-default.xml');
const args = fleetArgs({ xml: { type: 'string', default: DEFAULT_XML } });
const fleet = new Fleet({ name: 'dds-sim', ...DDS_SENSOR }, args);

/** The gateway's XML plus a participant on the device side of its topics. */
function deviceXml(gatewayXml: string): string {
  const participant = `
    <domain_participant name="Devices" domain_ref="FieldlinkDomains::Default">
      <publisher name="Telemetry"><data_writer name="SensorReadings" topic_ref="SensorReadings"/></publisher>
      <subscriber name="Commands"><data_reader name="DeviceCommands" topic_ref="DeviceCommands"/></subscriber>
    </domain_participant>
  </domain_participant_library>`;
  const xml = readFileSync(gatewayXml, 'utf8');
  if (!xml.includes('</domain_participant_library>')) throw new Error(`${gatewayXml} has no domain_participant_library`);
  const file = join(mkdtempSync(join(tmpdir(), 'fieldlink-dds-sim-')), 'devices.xml');
  writeFileSync(file, xml.replace('</domain_participant_library>', participant));
  return file;
}

const connector = new Connector('Fieldlink::Devices', deviceXml(String(args.values.xml)));
const output = connector.getOutput('Telemetry::SensorReadings');
const commands = connector.getInput('Commands::DeviceCommands');

const poll = setInterval(() => {
  commands.take();
  for (const sample of commands.samples) {
    if (!sample.validData) continue;
    const command = sample.getJson() as { device_id?: string; command_id?: string; action?: string; args?: string };
    let parsed: unknown = command.args;
    try {
      parsed = JSON.parse(command.args ?? '{}');
    } catch {
      // the args are shown as the text they are
    }
    fleet.obey(String(command.device_id), { id: command.command_id, action: command.action, args: parsed });
  }
}, 200);

fleet.run(
  {
    send(device, values, now) {
      output.instance.setFromJson({ sensor_id: device.id, temperature: values['temperature'], humidity: values['humidity'], timestamp: now });
      output.write();
    },
    async close() {
      clearInterval(poll);
      await connector.close();
    },
  },
  'DDS domain 0, topic SensorReadings (loopback discovery)',
);
