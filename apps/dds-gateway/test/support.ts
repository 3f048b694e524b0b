import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DeviceStatus, type Telemetry } from '@fieldlink/schemas';
import { type Infra, ServiceProcess, freshName, readTopic, workspaceRoot, writeConfig } from '@fieldlink/testing';

/** A fresh DDS topic name: letters, digits and _ only, as Cyclone DDS requires. */
export function ddsTopic(prefix: string): string {
  return `${prefix}_${randomUUID().slice(0, 8)}`;
}

export const DEFAULT_XML = join(workspaceRoot(), 'apps', 'dds-gateway', 'src', 'session', 'fieldlink-default.xml');

/**
 * A copy of the shipped XML with this test's own topic names, so tests never read each
 * other's samples; `durableReader` asks for TRANSIENT_LOCAL, to get a durable writer's history.
 */
export function ddsXml(options: { sensorTopic: string; commandTopic?: string; durableReader?: boolean; extra?: { types: string; topics: string; readers: string; participants: string } }): string {
  const commandTopic = options.commandTopic ?? ddsTopic('DeviceCommands');
  let xml = readFileSync(DEFAULT_XML, 'utf8')
    .replace('<topic name="SensorReadings"', `<topic name="${options.sensorTopic}"`)
    .replace('topic_ref="SensorReadings"', `topic_ref="${options.sensorTopic}"`)
    .replace('<topic name="DeviceCommands"', `<topic name="${commandTopic}"`)
    .replace('topic_ref="DeviceCommands"', `topic_ref="${commandTopic}"`);
  if (options.durableReader) xml = xml.replace('<kind>VOLATILE_DURABILITY_QOS</kind>', '<kind>TRANSIENT_LOCAL_DURABILITY_QOS</kind>');
  if (options.extra) {
    xml = xml
      .replace('</types>', `${options.extra.types}\n  </types>`)
      .replace(`<topic name="${commandTopic}"`, `${options.extra.topics}\n      <topic name="${commandTopic}"`)
      .replace('</subscriber>', `${options.extra.readers}\n      </subscriber>`)
      .replace('</domain_participant_library>', `${options.extra.participants}\n  </domain_participant_library>`);
  }
  const file = join(mkdtempSync(join(tmpdir(), 'fieldlink-dds-')), 'fieldlink.xml');
  writeFileSync(file, xml);
  return file;
}

export interface DdsGatewayUnderTest {
  gateway: ServiceProcess;
  root: string;
  brokers: string;
  topic(name: string): string;
}

/** Starts the built dds-gateway with this test's own Kafka topic prefix; `config` is optional, as with zero config. */
export async function startDdsGateway(
  infra: Infra,
  options: { config?: Record<string, unknown>; env?: Record<string, string>; waitReady?: boolean; root?: string; spoolDir?: string } = {},
): Promise<DdsGatewayUnderTest> {
  const root = options.root ?? freshName('dds');
  const gateway = await ServiceProcess.start(
    'dds-gateway',
    {
      ...(options.config ? { FIELDLINK_CONFIG: writeConfig(options.config) } : {}),
      KAFKA_BROKERS: infra.kafkaBrokers,
      TOPIC_PREFIX: `${root}.`,
      GATEWAY_INSTANCE_ID: root,
      SPOOL_DIR: options.spoolDir ?? mkdtempSync(join(tmpdir(), 'fieldlink-spool-')),
      LOG_LEVEL: 'info',
      ...options.env,
    },
    { waitReady: options.waitReady ?? true },
  );
  return { gateway, root, brokers: infra.kafkaBrokers, topic: (name) => `${root}.${name}` };
}

export async function telemetry(g: DdsGatewayUnderTest): Promise<{ key: string | null; value: Telemetry }[]> {
  return (await readTopic(g.brokers, g.topic('telemetry'))).map((r) => ({ key: r.key, value: JSON.parse(r.payload ?? '') as Telemetry }));
}

export async function statuses(g: DdsGatewayUnderTest): Promise<DeviceStatus[]> {
  return (await readTopic(g.brokers, g.topic('device-status'))).map((r) => JSON.parse(r.payload ?? '') as DeviceStatus);
}

/** The gateway config for one reader of the default SensorData type on `topic`. */
export function sensorConfig(qosFile: string, topic: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    dds: {
      qosFile,
      readers: [{ name: 'sensors', reader: 'Readings::SensorReadings', topic, deviceIdField: 'sensor_id', eventTime: { field: 'timestamp', unit: 'ms' } }],
      ...extra,
    },
  };
}
