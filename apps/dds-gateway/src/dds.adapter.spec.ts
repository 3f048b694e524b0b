import { DeadLetterWriter, IngestMetrics, IngestPipeline, type SinkState } from '@fieldlink/gateway-core';
import { KafkaError, KafkaErrorCode, type OutgoingRecord } from '@fieldlink/kafka';
import { type DeadLetter, type DeviceStatus, type Telemetry, topicMap } from '@fieldlink/schemas';
import { waitFor } from '@fieldlink/testing';
import pino from 'pino';
import { Registry } from 'prom-client';
import { type DdsConfig, type DdsRuntimeConfig, readerRoutes } from './config/dds-gateway.config';
import { DdsAdapter } from './dds.adapter';
import { type DdsSample } from './session/dds-sample';
import { type DdsParticipant } from './session/participant';

/** Kafka with the spool off: unreachable for the first `failures` sends, then fine. */
class FlakySink {
  sent: OutgoingRecord[] = [];
  state: SinkState = 'accepting';
  constructor(private failures: number) {}
  send(record: OutgoingRecord): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      return Promise.reject(new KafkaError(KafkaErrorCode.Unavailable, 'broker unreachable', true));
    }
    this.sent.push(record);
    return Promise.resolve();
  }
}

/** Hands out each take once, as DDS does: a sample taken is gone from the reader. */
function participantTaking(takes: DdsSample[][]): DdsParticipant {
  const fake = {
    take: () => Promise.resolve(takes.shift() ?? []),
    exclusive: <T>(action: () => T | Promise<T>) => Promise.resolve().then(action),
    close: () => Promise.resolve(),
  };
  return fake as unknown as DdsParticipant;
}

const dds = {
  participant: 'Fieldlink::Gateway',
  idlePollMs: 1,
  takesInFlight: 4,
  readers: [{ name: 'sensors', reader: 'Readings::SensorReadings', topic: 'SensorReadings', deviceIdField: 'sensor_id', eventTime: { field: 'timestamp', unit: 'ms' } }],
} as unknown as DdsConfig;
const config = { dds, runtime: { routes: readerRoutes(dds.readers) } } as unknown as DdsRuntimeConfig;

const sample = (sensor: string, seq: number, instanceState: DdsSample['instanceState'] = 'ALIVE'): DdsSample => ({
  data: instanceState === 'ALIVE' ? { sensor_id: sensor, timestamp: 1_700_000_000_000 + seq, value: seq } : undefined,
  ...(instanceState === 'ALIVE' ? {} : { keyValue: sensor }),
  instanceState,
  id: `dds-${seq}`,
});

const started: DdsAdapter[] = [];

/**
 * Endless samples, taken as the take thread does: a take asked `ahead` takes the next samples at
 * once and holds them for the following take. `taken` is every seq taken from "DDS".
 */
function participantTakingAhead() {
  let seq = 0;
  let held: DdsSample[] | undefined;
  const taken: number[] = [];
  const takeFromDds = () => {
    seq += 1;
    taken.push(seq);
    return [sample('s-1', seq)];
  };
  const fake = {
    take: (_reader: string, _key: string, options: { ahead: boolean }) => {
      const current = held ?? takeFromDds();
      held = options.ahead ? takeFromDds() : undefined;
      // From another thread, as the take thread answers: timers run in between.
      return new Promise<DdsSample[]>((resolve) => setImmediate(() => resolve(current)));
    },
    exclusive: <T>(action: () => T | Promise<T>) => Promise.resolve().then(action),
    close: () => Promise.resolve(),
  };
  return { participant: fake as unknown as DdsParticipant, taken };
}

async function adapterOver(sink: FlakySink, takes: DdsSample[][] | DdsParticipant, registry = new Registry()): Promise<DdsAdapter> {
  const metrics = new IngestMetrics(new Registry());
  const deadLetters = new DeadLetterWriter(sink, { protocol: 'dds', instanceId: 'gw-1', topic: topicMap()['dead-letter'], maxBytes: 1024 }, metrics, pino({ level: 'silent' }));
  const pipeline = new IngestPipeline(sink, { protocol: 'dds', instanceId: 'gw-1', topics: topicMap(), maxPayloadBytes: 1024 }, deadLetters, metrics);
  const participant = Array.isArray(takes) ? participantTaking(takes) : takes;
  const adapter = new DdsAdapter(config, participant, pipeline, pino({ level: 'silent' }), registry);
  started.push(adapter);
  await adapter.start();
  return adapter;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((adapter) => adapter.stop()));
});

describe(DdsAdapter.name, () => {
  it('keeps retrying a take whose Kafka write failed, so no taken sample is lost', async () => {
    const sink = new FlakySink(3);
    await adapterOver(sink, [[sample('s-1', 1), sample('s-2', 2)], [sample('s-1', 3)]]);
    const telemetry = () => sink.sent.filter((r) => r.topic === 'fieldlink.telemetry').map((r) => JSON.parse(String(r.value)) as Telemetry);
    await waitFor('all three samples in Kafka', () => new Set(telemetry().map((t) => t.id)).size === 3, { timeoutMs: 4000, intervalMs: 10 });
    expect(new Set(telemetry().map((t) => t.values['value']?.value))).toEqual(new Set([1, 2, 3]));
  });

  it('reports an instance change again when its status write failed', async () => {
    const sink = new FlakySink(1);
    await adapterOver(sink, [[sample('s-1', 1, 'NOT_ALIVE_DISPOSED')]]);
    const statuses = () => sink.sent.filter((r) => r.topic === 'fieldlink.device-status').map((r) => JSON.parse(String(r.value)) as DeviceStatus);
    const [status] = await waitFor('the offline status in Kafka', () => statuses().length > 0 && statuses(), { timeoutMs: 4000, intervalMs: 10 });
    expect(status).toMatchObject({ deviceId: 's-1', status: 'offline' });
  });

  it('counts the samples of a take it is still retrying when it stops, as lost', async () => {
    const sink = new FlakySink(Number.POSITIVE_INFINITY);
    const registry = new Registry();
    const adapter = await adapterOver(sink, [[sample('s-1', 1), sample('s-2', 2)]], registry);
    const unwritten = async () => (await registry.getSingleMetric('fieldlink_dds_samples_unwritten_total')?.get())?.values[0]?.value ?? 0;
    expect(await unwritten()).toBe(0);
    await adapter.stop();
    expect(await unwritten()).toBe(2);
    expect(sink.sent).toEqual([]);
  });

  it('writes the samples a busy reader took ahead before it stops: none is left taken and unwritten', async () => {
    const sink = new FlakySink(0);
    const { participant, taken } = participantTakingAhead();
    const adapter = await adapterOver(sink, participant);
    await waitFor('a busy reader', () => sink.sent.length >= 20, { timeoutMs: 4000, intervalMs: 1 });
    await adapter.stop();
    const written = sink.sent.filter((r) => r.topic === 'fieldlink.telemetry').map((r) => (JSON.parse(String(r.value)) as Telemetry).values['value']?.value);
    expect(written).toEqual(taken);
  });

  it('dead-letters a taken sample that could not be read, with its text and the reason, and writes the rest of the take', async () => {
    const sink = new FlakySink(0);
    const unreadable: DdsSample = { instanceState: 'ALIVE', data: undefined, unreadable: { reason: "Connext's JSON for the sample did not parse", raw: '{"sensor_id":' } };
    await adapterOver(sink, [[unreadable, sample('s-1', 1)]]);
    const letters = () => sink.sent.filter((r) => r.topic === 'fieldlink.dead-letter').map((r) => JSON.parse(String(r.value)) as DeadLetter);
    const [letter] = await waitFor('the dead letter', () => letters().length > 0 && letters(), { timeoutMs: 4000, intervalMs: 10 });
    expect(letter?.reason).toEqual({ code: 'FL_DECODE_INVALID_JSON', message: "Connext's JSON for the sample did not parse" });
    expect(Buffer.from(letter?.payload.data ?? '', 'base64').toString()).toBe('{"sensor_id":');
    await waitFor('the readable sample in Kafka', () => sink.sent.some((r) => r.topic === 'fieldlink.telemetry'), { timeoutMs: 4000, intervalMs: 10 });
  });
});
