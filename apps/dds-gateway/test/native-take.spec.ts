import { dirname } from 'node:path';
import koffi from 'koffi';
import { Connector, connectorBinding } from 'rticonnextdds-connector';
import { sampleId } from '../src/mapping/sample-id';
import { type DdsSample } from '../src/session/dds-sample';
import { NativeReader } from '../src/session/native-reader';
import { toSamples } from '../src/session/take-thread';
import { CyclonePublisher } from './cyclone';
import { ddsTopic, ddsXml } from './support';

const READER = 'Readings::SensorReadings';
const COUNT = 60;
const SENSORS = 3;

interface Seen {
  data: unknown;
  keyValue: unknown;
  instanceState: string;
  id: string | undefined;
  sourceTimestampNs: number | undefined;
}

/** What the Connector's own per-sample API says of each sample, as a bridge would read it. */
function viaConnectorApi(connector: Connector): Seen[] {
  const input = connector.getInput(READER);
  input.take();
  const all: Seen[] = [];
  // The iterator is one object that moves along: each sample is read before the next.
  for (const sample of input.samples) {
    const valid = sample.validData;
    const identity = sample.info.get('sample_identity');
    all.push({
      data: valid ? sample.getJson() : undefined,
      keyValue: valid ? undefined : sample.get('sensor_id'),
      instanceState: sample.info.get('instance_state') ?? '',
      id: valid && identity ? sampleId(Buffer.from(identity.writer_guid).toString('hex'), identity.sequence_number) : undefined,
      // Past 2^53 the Connector gives the nanoseconds as a decimal string.
      sourceTimestampNs: Number(sample.info.get('source_timestamp')),
    });
  }
  return all;
}

function seen(samples: DdsSample[]): Seen[] {
  return samples.map((s) => ({ data: s.data, keyValue: s.keyValue, instanceState: s.instanceState, id: s.id, sourceTimestampNs: s.sourceTimestampNs }));
}

function nativeReader(connector: Connector, options: ConstructorParameters<typeof NativeReader>[2] = {}): NativeReader {
  const address = koffi.address(connectorBinding.RTI_Connector_get_datareader(connector.native, READER));
  return new NativeReader(dirname(connectorBinding.library), address, options);
}

describe('the native take (Connext C API)', () => {
  const connectors: Connector[] = [];
  let pub: CyclonePublisher | undefined;
  afterEach(async () => {
    await pub?.stop();
    await Promise.all(connectors.splice(0).map((c) => c.close()));
  });

  it("reads what the Connector's own API reads: the data, a disposed instance's key, the instance state, the identity and the source time", async () => {
    const topic = ddsTopic('NativeTake');
    const xml = ddsXml({ sensorTopic: topic });
    const open = () => {
      const connector = new Connector('Fieldlink::Gateway', xml);
      connectors.push(connector);
      return connector;
    };
    const [reference, byLayout, byFormatter] = [open(), open(), open()];
    const layoutReader = nativeReader(byLayout);
    // The formatter path, with a JSON buffer too small for any sample, so it has to grow.
    const formatterReader = nativeReader(byFormatter, { formatInfos: true, jsonBufferBytes: 8 });
    pub = await CyclonePublisher.start({ topic, count: COUNT, sensors: SENSORS, dispose: true, readers: 3, lingerMs: 60_000 });
    await pub.done();

    const expected = viaConnectorApi(reference);
    expect(expected.filter((s) => s.data !== undefined)).toHaveLength(COUNT);
    expect(expected.filter((s) => s.data === undefined).map((s) => s.keyValue).sort()).toEqual(['sensor-0', 'sensor-1', 'sensor-2']);
    expect(new Set(expected.map((s) => s.instanceState))).toEqual(new Set(['NOT_ALIVE_DISPOSED']));

    expect(seen(toSamples(layoutReader.take(), 'sensor_id', true))).toEqual(expected);
    expect(layoutReader.readsInfosByFormatter).toBe(false);
    expect(seen(toSamples(formatterReader.take(), 'sensor_id', true))).toEqual(expected);
    // Taken: the next take finds nothing.
    expect(layoutReader.take().meta).toHaveLength(0);
  });
});
