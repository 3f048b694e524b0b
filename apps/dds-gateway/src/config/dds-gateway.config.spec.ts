import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_QOS_FILE, loadDdsGatewayConfig } from './dds-gateway.config';

// The shipped XML sits in src/session; the built one next to main.js.
const QOS = join(__dirname, '..', 'session', 'fieldlink-default.xml');

function load(config: Record<string, unknown>, env: Record<string, string> = {}) {
  const file = join(mkdtempSync(join(tmpdir(), 'dds-config-')), 'config.yaml');
  writeFileSync(file, JSON.stringify(config));
  return () => loadDdsGatewayConfig({ FIELDLINK_CONFIG: file, ...env });
}

describe('dds-gateway config', () => {
  it('defaults to the seed SensorData reader and the command writer, with the XML shipped next to main.js', () => {
    const config = load({ dds: { qosFile: QOS } })();
    expect(DEFAULT_QOS_FILE.endsWith('fieldlink-default.xml')).toBe(true);
    expect(config.dds.participant).toBe('Fieldlink::Gateway');
    expect(config.dds.readers).toEqual([{ name: 'sensors', reader: 'Readings::SensorReadings', topic: 'SensorReadings', deviceIdField: 'sensor_id', eventTime: { field: 'timestamp', unit: 'ms' } }]);
    expect(config.dds.commands).toMatchObject({ enabled: true, writer: 'Commands::DeviceCommands', ackTimeoutMs: 5000, fields: { deviceId: 'device_id', args: 'args' } });
    expect(config.spool.overflow).toBe('block');
  });

  it('loads the example config, which spells out the defaults', () => {
    // Unbuilt, the default XML path (next to main.js) does not exist: both take the source copy.
    const example = loadDdsGatewayConfig({ FIELDLINK_CONFIG: join(__dirname, 'example.yaml'), DDS_QOS_FILE: QOS });
    const defaults = load({}, { DDS_QOS_FILE: QOS })();
    expect(example.dds).toEqual(defaults.dds);
  });

  it('takes the XML path from DDS_QOS_FILE', () => {
    expect(load({}, { DDS_QOS_FILE: QOS })().dds.qosFile).toBe(QOS);
  });

  it.each([
    [{ dds: { qosFile: '/nope.xml' } }, 'config key "dds.qosFile": /nope.xml does not exist'],
    [{ spool: { overflow: 'reject' }, dds: { qosFile: QOS } }, 'config key "spool.overflow": reject is for protocols that can ask a device to retry'],
    [{ dds: { qosFile: QOS, readers: [{ name: 'a', reader: 'NoSubscriber', topic: 't', deviceIdField: 'id' }] } }, 'config key "dds.readers[0].reader": must be <subscriber>::<data_reader>'],
    [{ dds: { qosFile: QOS, readers: [{ name: 'a', reader: 'S::r', topic: 't', deviceIdField: 'id' }, { name: 'a', reader: 'S::q', topic: 't', deviceIdField: 'id' }] } }, 'config key "dds.readers[1].name": "a" is used twice'],
    [{ dds: { qosFile: QOS, readers: [{ name: 'a', reader: 'S::r', topic: 't', deviceIdField: 'id', metrics: ['id'] }] } }, 'config key "dds.readers[0].metrics": includes the deviceId field "id"'],
    [{ dds: { qosFile: QOS, readers: [{ name: 'a', reader: 'S::r', topic: 't', deviceIdField: 'a[' }] } }, 'config key "dds.readers[0].deviceIdField": "a[" is not a field path'],
    [{ dds: { qosFile: QOS, commands: { fields: { args: 'args[0]' } } } }, 'config key "dds.commands.fields.args": names a struct member'],
  ])('refuses %j naming the key', (config, message) => {
    expect(load(config)).toThrow(message);
  });
});
