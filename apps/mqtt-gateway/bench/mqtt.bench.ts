import { benchArgs, type Infra, freshName, round, runBench, sharedInfra } from '@fieldlink/testing';
import { DEVICES, PAYLOAD_BYTES, connectPublisher, deviceTopics as topics, jsonLoad, publishLoad } from './load';
import { fromEnvelope, fromRaw, measure, progress, startBaseline, startBenchGateway } from './measure';


/**
 * The MQTT → Kafka benchmark: the gateway against `mosquitto_sub -q 1 | kcat -P`
 * on the same broker, Kafka and load, in one run.
 */
export async function mqttBench(infra: Infra, messages: number, profile = false): Promise<Record<string, unknown>> {
  const id = freshName('bench');
  const publisher = await connectPublisher(infra.mqttUrl, `${id}-load`);
  try {
    progress(`load generator alone: ${messages} QoS 1 messages of ${PAYLOAD_BYTES} bytes, ${DEVICES} device topics`);
    const generator = await publishLoad(publisher, { topics: topics(`${id}/gen`), firstSeq: 0, count: messages });
    progress(`load generator: ${Math.round(generator)} msg/s`);

    progress('baseline: mosquitto_sub -q 1 | kcat -P');
    const baseline = await measure(infra, jsonLoad(publisher, topics(`${id}/base`)), `${id}.baseline`, fromRaw, messages, () =>
      startBaseline(infra, `${id}/base/+/data`, `${id}.baseline`, `${id}-base`),
    );

    progress('gateway: mqtt-gateway on its defaults (acks after Kafka, idempotent acks=all)');
    const gateway = await measure(
      infra,
      jsonLoad(publisher, topics(`${id}/gw`)),
      `${id}.telemetry`,
      fromEnvelope,
      messages,
      () => startBenchGateway(infra, id, { mappings: [{ name: 'bench', topic: `${id}/gw/{deviceId}/data` }] }, profile),
      baseline.halfRate.rate,
    );

    return {
      bench: 'mqtt',
      messages,
      payloadBytes: PAYLOAD_BYTES,
      generator: { msgPerSec: Math.round(generator), headroom: round(generator / Math.max(gateway.msgPerSec, baseline.msgPerSec), 2) },
      gateway,
      baseline,
      ratio: round(gateway.msgPerSec / baseline.msgPerSec, 3),
    };
  } finally {
    await publisher.endAsync();
  }
}

/** npm run bench -- mqtt [--json] [--messages 200000] [--profile]: progress on stderr, the figures as JSON last. */
async function main(): Promise<{ result: object; json: boolean }> {
  const { json, messages, profile } = benchArgs('mqtt', 200_000);
  return { result: await mqttBench(await sharedInfra(), messages, profile), json };
}

runBench(main);
