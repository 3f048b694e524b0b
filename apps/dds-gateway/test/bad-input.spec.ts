import { Connector } from 'rticonnextdds-connector';
import { writeFileSync } from 'node:fs';
import { type DeadLetter } from '@fieldlink/schemas';
import { type Infra, ServiceProcess, readTopic, sharedInfra, waitFor, writeConfig } from '@fieldlink/testing';
import { CyclonePublisher } from './cyclone';
import { type DdsGatewayUnderTest, ddsTopic, ddsXml, sensorConfig, startDdsGateway, telemetry } from './support';

async function deadLetters(g: DdsGatewayUnderTest): Promise<DeadLetter[]> {
  return (await readTopic(g.brokers, g.topic('dead-letter'))).map((r) => JSON.parse(r.payload ?? '') as DeadLetter);
}

async function startupError(config: Record<string, unknown> | undefined, env: Record<string, string> = {}): Promise<{ code: number | null; logs: string }> {
  const service = await ServiceProcess.start('dds-gateway', { ...(config ? { FIELDLINK_CONFIG: writeConfig(config) } : {}), KAFKA_BROKERS: '127.0.0.1:1', ...env }, { waitReady: false });
  return { code: await service.waitExit(), logs: service.logs };
}

describe('dds-gateway with bad input', () => {
  let infra: Infra;
  const cleanups: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    infra = await sharedInfra();
  });
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((stop) => stop()));
  });

  it('dead-letters samples with an empty key, carrying the sample as JSON and the reason, and forwards the rest', async () => {
    const topic = ddsTopic('Readings');
    const g = await startDdsGateway(infra, { config: sensorConfig(ddsXml({ sensorTopic: topic }), topic) });
    cleanups.push(() => g.gateway.stop());
    const pub = await CyclonePublisher.start({ topic, count: 200, sensors: 4, emptyKeyEvery: 50, timestampBase: Date.now() });
    cleanups.push(() => pub.stop());
    await pub.done();
    const letters = await waitFor('4 dead letters', async () => {
      const all = await deadLetters(g);
      return all.length >= 4 ? all : false;
    }, { timeoutMs: 30_000 });
    expect(letters).toHaveLength(4);
    for (const letter of letters) {
      expect(letter.reason.code).toBe('FL_MAP_NO_DEVICE');
      expect(letter.source).toMatchObject({ protocol: 'dds', ref: topic, mapping: 'sensors' });
      const sample = JSON.parse(Buffer.from(letter.payload.data, 'base64').toString('utf8')) as Record<string, unknown>;
      // Samples 49, 99, 149 and 199 had the empty key: sensors 1 and 3 of 4.
      expect(sample['sensor_id']).toBe('');
      expect([1, 3]).toContain(sample['humidity']);
      expect(typeof sample['timestamp']).toBe('number');
    }
    await waitFor('the other 196 samples', async () => (await telemetry(g)).length === 196, { timeoutMs: 30_000 });
    expect(await g.gateway.metric('fieldlink_ingest_dead_lettered_total', { mapping: 'sensors', code: 'FL_MAP_NO_DEVICE' })).toBe(4);
    expect(g.gateway.running).toBe(true);
  });

  it('dead-letters a sample whose event-time field has the wrong type, from an RTI Connector writer, and stays up', async () => {
    const topic = ddsTopic('Readings');
    const loose = ddsTopic('Loose');
    const xml = ddsXml({
      sensorTopic: topic,
      extra: {
        types: `<struct name="LooseReading" extensibility="final">
      <member name="sensor_id" type="string" stringMaxLength="64" key="true"/>
      <member name="temperature" type="float64"/>
      <member name="timestamp" type="string" stringMaxLength="32"/>
    </struct>`,
        topics: `<register_type name="LooseReading" type_ref="LooseReading"/>
      <topic name="${loose}" register_type_ref="LooseReading"/>`,
        readers: `<data_reader name="Loose" topic_ref="${loose}"/>`,
        participants: `<domain_participant name="LoosePublisher" domain_ref="FieldlinkDomains::Default">
      <publisher name="Pub"><data_writer name="Loose" topic_ref="${loose}"/></publisher>
    </domain_participant>`,
      },
    });
    const config = sensorConfig(xml, topic);
    (config['dds'] as { readers: unknown[] }).readers.push({ name: 'loose', reader: 'Readings::Loose', topic: loose, deviceIdField: 'sensor_id', eventTime: { field: 'timestamp', unit: 'ms' } });
    const g = await startDdsGateway(infra, { config });
    cleanups.push(() => g.gateway.stop());

    const peer = new Connector('Fieldlink::LoosePublisher', xml);
    cleanups.push(() => peer.close());
    const writer = peer.getOutput('Pub::Loose');
    await waitFor('the gateway matched the loose writer', () => writer.matchedSubscriptions.length > 0, { timeoutMs: 30_000 });
    writer.instance.setFromJson({ sensor_id: 'loose-1', temperature: 21.5, timestamp: 'yesterday' });
    writer.write();
    await writer.wait(10_000);
    const [letter] = await waitFor('a dead letter', async () => {
      const all = await deadLetters(g);
      return all.length > 0 ? all : false;
    }, { timeoutMs: 30_000 });
    expect(letter?.reason).toMatchObject({ code: 'FL_DECODE_BAD_TIMESTAMP' });
    expect(letter?.reason.message).toContain('"timestamp" is "yesterday" (string)');
    expect(letter?.deviceId).toBe('loose-1');
    expect(JSON.parse(Buffer.from(letter?.payload.data ?? '', 'base64').toString('utf8'))).toEqual({ sensor_id: 'loose-1', temperature: 21.5, timestamp: 'yesterday' });
    expect(g.gateway.running).toBe(true);
    expect((await g.gateway.metric('fieldlink_ingest_dead_lettered_total', { mapping: 'loose', code: 'FL_DECODE_BAD_TIMESTAMP' }))).toBe(1);
  });

  it('exits 2 with a clear message on an invalid XML file', async () => {
    const bad = ddsXml({ sensorTopic: ddsTopic('Readings') });
    writeFileSync(bad, '<dds><types><struct name="Broken">');
    const { code, logs } = await startupError({ dds: { qosFile: bad } });
    expect(code).toBe(2);
    expect(logs).toContain(`config key \\"dds.qosFile\\": the RTI Connector could not create participant \\"Fieldlink::Gateway\\" from ${bad}`);
  });

  it('exits 2 naming the key for a missing XML file, an unknown reader, and an unmappable event-time field', async () => {
    const missing = await startupError(undefined, { DDS_QOS_FILE: '/nonexistent/dds.xml' });
    expect(missing.code).toBe(2);
    expect(missing.logs).toContain('config key \\"dds.qosFile\\": /nonexistent/dds.xml does not exist');

    const topic = ddsTopic('Readings');
    const xml = ddsXml({ sensorTopic: topic });
    const config = sensorConfig(xml, topic);
    (config['dds'] as { readers: Record<string, unknown>[] }).readers[0] = { name: 'sensors', reader: 'Readings::Nope', topic, deviceIdField: 'sensor_id' };
    const reader = await startupError(config);
    expect(reader.code).toBe(2);
    expect(reader.logs).toContain('config key \\"dds.readers[0].reader\\": participant \\"Fieldlink::Gateway\\" has no data_reader \\"Readings::Nope\\"');

    const mapping = await startupError({ dds: { qosFile: xml, readers: [{ name: 's', reader: 'Readings::SensorReadings', topic, deviceIdField: 'sensor_id', eventTime: { field: 'sensor_id' } }] } });
    expect(mapping.code).toBe(2);
    expect(mapping.logs).toContain('config key \\"dds.readers[0].eventTime.field\\": is the deviceId field');

    const path = await startupError({ dds: { qosFile: xml, readers: [{ name: 's', reader: 'Readings::SensorReadings', topic, deviceIdField: 'sensor_id', metrics: ['a..b'] }] } });
    expect(path.code).toBe(2);
    expect(path.logs).toContain('config key \\"dds.readers[0].metrics[0]\\": \\"a..b\\" is not a field path');
  });
});
