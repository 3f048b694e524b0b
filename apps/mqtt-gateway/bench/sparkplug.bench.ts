import { type MqttClient } from 'mqtt';
import { benchArgs, type Infra, freshName, nowMs, round, runBench, sharedInfra } from '@fieldlink/testing';
import { type SpbMetric, encodeSparkplug } from '../src/sparkplug/codec';
import { DataType } from '../src/sparkplug/datatypes';
import { connectPublisher, deviceTopics, jsonLoad, publishLoad } from './load';
import { type Load, fromEnvelope, fromRaw, measure, progress, startBaseline, startBenchGateway } from './measure';

const DEVICES = 10;
/** seq and t (the bench's own sequence number and publish time) and eight process values: ten metrics, by alias. */
const METRICS: [string, number][] = [
  ['seq', DataType.Int64],
  ['t', DataType.Double],
  ...Array.from({ length: 4 }, (_, i): [string, number] => [`temperature${i}`, DataType.Float]),
  ...Array.from({ length: 2 }, (_, i): [string, number] => [`count${i}`, DataType.Int32]),
  ['running', DataType.Boolean],
  ['pressure', DataType.Double],
];

/**
 * One Sparkplug edge node of ten devices: births with names and aliases, then DDATA of ten
 * metrics by alias only, published at QoS 1 (Sparkplug's QoS 0 has no flow control to measure with).
 */
class EdgeNodeLoad implements Load {
  private seq = 0;

  constructor(
    private readonly client: MqttClient,
    readonly group: string,
  ) {
    // A gateway that missed the births (it subscribed after them) asks for a rebirth.
    const ncmd = `spBv1.0/${group}/NCMD/edge`;
    client.subscribe(ncmd, { qos: 0 });
    client.on('message', (topic) => {
      if (topic === ncmd) this.birth().catch((err: unknown) => progress(`rebirth failed: ${String(err)}`));
    });
  }

  async birth(): Promise<void> {
    const now = String(Date.now());
    const named: SpbMetric[] = METRICS.map(([name, datatype], alias) => ({ name, alias: String(alias), datatype, timestamp: now, ...(datatype === DataType.Int64 ? { long_value: '0' } : value(datatype, 0)) }));
    this.seq = 0;
    await this.client.publishAsync(`spBv1.0/${this.group}/NBIRTH/edge`, encodeSparkplug({ timestamp: now, seq: String(this.nextSeq()), metrics: [{ name: 'bdSeq', datatype: DataType.Int64, long_value: '0' }] }), { qos: 1 });
    for (let d = 0; d < DEVICES; d++) {
      await this.client.publishAsync(`spBv1.0/${this.group}/DBIRTH/edge/dev-${d}`, encodeSparkplug({ timestamp: now, seq: String(this.nextSeq()), metrics: named }), { qos: 1 });
    }
  }

  publish(firstSeq: number, count: number, rate?: number): Promise<number> {
    return publishLoad(this.client, { topics: [], firstSeq, count, ...(rate ? { rate } : {}), message: (seq) => this.data(seq) });
  }

  filler(): void {
    const [topic, payload] = this.data(-3);
    this.client.publish(topic, payload, { qos: 1 });
  }

  private data(seq: number): [string, Buffer] {
    const t = nowMs();
    const metrics: SpbMetric[] = METRICS.map(([name, datatype], alias) => ({ alias: String(alias), ...(name === 'seq' ? { long_value: String(BigInt.asUintN(64, BigInt(seq))) } : name === 't' ? { double_value: t } : value(datatype, seq)) }));
    const device = ((seq % DEVICES) + DEVICES) % DEVICES;
    return [`spBv1.0/${this.group}/DDATA/edge/dev-${device}`, encodeSparkplug({ timestamp: String(Date.now()), seq: String(this.nextSeq()), metrics })];
  }

  private nextSeq(): number {
    const seq = this.seq;
    this.seq = (this.seq + 1) % 256;
    return seq;
  }
}

function value(datatype: number, seq: number): Partial<SpbMetric> {
  if (datatype === DataType.Float) return { float_value: 20 + (seq % 100) / 10 };
  if (datatype === DataType.Int32) return { int_value: seq & 0x7fffffff };
  if (datatype === DataType.Boolean) return { boolean_value: seq % 2 === 0 };
  return { double_value: 1 + seq / 1000 };
}

/**
 * Sparkplug B → Kafka: DDATA of ten metrics by alias through the gateway as a Sparkplug host,
 * against the MQTT bench's baseline (`mosquitto_sub -q 1 | kcat -P` moving 200-byte JSON) in the same run.
 */
async function sparkplugBench(infra: Infra, messages: number, profile: boolean): Promise<Record<string, unknown>> {
  const id = freshName('bench');
  const publisher = await connectPublisher(infra.mqttUrl, `${id}-load`);
  try {
    progress('baseline: mosquitto_sub -q 1 | kcat -P, the MQTT bench\'s JSON load');
    const baseline = await measure(infra, jsonLoad(publisher, deviceTopics(`${id}/base`)), `${id}.baseline`, fromRaw, messages, () =>
      startBaseline(infra, `${id}/base/+/data`, `${id}.baseline`, `${id}-base`),
    );
    progress(`gateway: mqtt-gateway as a Sparkplug host; one edge node, ${DEVICES} devices, DDATA of ${METRICS.length} metrics by alias`);
    const load = new EdgeNodeLoad(publisher, id.replace(/[^A-Za-z0-9-]/g, '-'));
    const gateway = await measure(infra, load, `${id}.telemetry`, fromEnvelope, messages, async () => {
      const pipeline = await startBenchGateway(infra, id, { mappings: [], sparkplug: { groups: [load.group], hostId: id } }, profile);
      await load.birth();
      return pipeline;
    });
    return { bench: 'sparkplug', messages, metricsPerMessage: METRICS.length, gateway, baseline, ratio: round(gateway.msgPerSec / baseline.msgPerSec, 3) };
  } finally {
    await publisher.endAsync();
  }
}

/** npm run bench -- sparkplug [--json] [--messages 100000]: progress on stderr, the figures as JSON last. */
async function main(): Promise<{ result: object; json: boolean }> {
  const { json, messages, profile } = benchArgs('sparkplug', 100_000);
  return { result: await sparkplugBench(await sharedInfra(), messages, profile), json };
}

runBench(main);
