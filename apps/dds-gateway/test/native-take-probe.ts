/**
 * Run by native-take.spec.ts in a process of its own: the Connector registers its FFI types with
 * koffi once per process, so a second Jest test file loading it in the same worker would fail.
 * Takes the same Cyclone publisher's samples through the Connector's API and through NativeReader
 * (by the SampleInfo layout, and by RTI's formatter) and prints what each read, as JSON.
 */
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

export interface Seen {
  data: unknown;
  keyValue: unknown;
  instanceState: string;
  id: string | undefined;
  sourceTimestampNs: number | undefined;
}

export interface ProbeResult {
  viaConnector: Seen[];
  byLayout: Seen[];
  byFormatter: Seen[];
  layoutFellBack: boolean;
  leftAfterTake: number;
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

async function probe(count: number, sensors: number): Promise<ProbeResult> {
  const topic = ddsTopic('NativeTake');
  const xml = ddsXml({ sensorTopic: topic });
  const connectors = [0, 1, 2].map(() => new Connector('Fieldlink::Gateway', xml));
  const [reference, byLayout, byFormatter] = connectors as [Connector, Connector, Connector];
  const layoutReader = nativeReader(byLayout);
  // The formatter path, with a JSON buffer too small for any sample, so it has to grow.
  const formatterReader = nativeReader(byFormatter, { formatInfos: true, jsonBufferBytes: 8 });
  const pub = await CyclonePublisher.start({ topic, count, sensors, dispose: true, readers: 3, lingerMs: 60_000 });
  try {
    await pub.done();
    return {
      viaConnector: viaConnectorApi(reference),
      byLayout: seen(toSamples(layoutReader.take(), 'sensor_id', true)),
      byFormatter: seen(toSamples(formatterReader.take(), 'sensor_id', true)),
      layoutFellBack: layoutReader.readsInfosByFormatter,
      leftAfterTake: layoutReader.take().meta.length,
    };
  } finally {
    await pub.stop();
    await Promise.all(connectors.map((c) => c.close()));
  }
}

probe(Number(process.argv[2]), Number(process.argv[3])).then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
