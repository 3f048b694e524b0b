import { KafkaError, KafkaErrorCode, type OutgoingRecord } from '@fieldlink/kafka';
import { type DeadLetter, type DeviceStatus, type Telemetry, topicMap } from '@fieldlink/schemas';
import pino from 'pino';
import { Registry } from 'prom-client';
import { IngestMetrics } from '../observability/ingest.metrics';
import { type InboundMessage } from './inbound-message';
import { IngestPipeline } from './ingest.pipeline';

/** A producer fake: records what is sent, or fails the way it is told to. */
class FakeProducer {
  sent: OutgoingRecord[] = [];
  failWith: ((record: OutgoingRecord) => Error | undefined) | undefined;
  send(record: OutgoingRecord): Promise<void> {
    const error = this.failWith?.(record);
    if (error) return Promise.reject(error);
    this.sent.push(record);
    return Promise.resolve();
  }
}

function setup() {
  const producer = new FakeProducer();
  const metrics = new IngestMetrics(new Registry());
  const pipeline = new IngestPipeline(
    producer,
    { protocol: 'mqtt', instanceId: 'gw-1', topics: topicMap(), maxPayloadBytes: 64, deadLetterMaxBytes: 16 },
    metrics,
    pino({ level: 'silent' }),
  );
  return { producer, pipeline, metrics };
}

const message = (payload: string | Buffer, over: Partial<InboundMessage> = {}): InboundMessage => ({
  route: { name: 'm', kind: 'telemetry', decoder: 'json' },
  payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload),
  deviceId: 'dev-1',
  ref: 'sensors/dev-1/data',
  receivedAt: new Date('2026-01-01T00:00:00Z'),
  ...over,
});

describe(IngestPipeline.name, () => {
  it('produces a valid telemetry envelope keyed by deviceId', async () => {
    const { producer, pipeline } = setup();
    await expect(pipeline.ingest(message('{"t":1}', { labels: { site: 'a' } }))).resolves.toBe('forwarded');
    const [record] = producer.sent;
    expect(record).toMatchObject({ topic: 'fieldlink.telemetry', key: 'dev-1' });
    const envelope = JSON.parse(String(record?.value)) as Telemetry;
    expect(envelope).toMatchObject({
      deviceId: 'dev-1',
      eventTime: '2026-01-01T00:00:00.000Z',
      labels: { site: 'a' },
      values: { t: { value: 1 } },
      source: { protocol: 'mqtt', gateway: 'gw-1', ref: 'sensors/dev-1/data', mapping: 'm' },
    });
  });

  it('keeps the id the adapter derived, so a protocol redelivery carries the id of the first copy; otherwise every envelope gets a fresh one', async () => {
    const { producer, pipeline } = setup();
    await pipeline.ingest(message('{"t":1}', { id: 'mqtt-abc' }));
    await pipeline.ingest(message('{"t":1}', { id: 'mqtt-abc', receivedAt: new Date('2026-01-01T00:00:05Z') }));
    await pipeline.ingest(message('{"t":1}'));
    await pipeline.ingest(message('{"t":1}'));
    const ids = producer.sent.map((r) => (JSON.parse(String(r.value)) as Telemetry).id);
    expect(ids.slice(0, 2)).toEqual(['mqtt-abc', 'mqtt-abc']);
    expect(new Set(ids).size).toBe(3);
  });

  it('turns a status payload into a device-status envelope', async () => {
    const { producer, pipeline } = setup();
    await pipeline.ingest(message('{"status":"online","fw":"1.2"}', { route: { name: 's', kind: 'status', decoder: 'json' } }));
    const status = JSON.parse(String(producer.sent[0]?.value)) as DeviceStatus;
    expect(producer.sent[0]?.topic).toBe('fieldlink.device-status');
    expect(status).toMatchObject({ status: 'online', detail: { fw: '1.2' } });
  });

  it.each([
    ['undecodable bytes', message('nope'), 'FL_DECODE_INVALID_JSON'],
    ['no deviceId', message('{"t":1}', { deviceId: undefined }), 'FL_MAP_NO_DEVICE'],
    ['a payload over the limit', message(Buffer.alloc(65, 0x20)), 'FL_DECODE_TOO_LARGE'],
  ])('dead-letters %s with the raw bytes and counts it', async (_name, input, code) => {
    const { producer, pipeline, metrics } = setup();
    await expect(pipeline.ingest(input)).resolves.toBe('dead-lettered');
    expect(producer.sent).toHaveLength(1);
    expect(producer.sent[0]?.topic).toBe('fieldlink.dead-letter');
    const letter = JSON.parse(String(producer.sent[0]?.value)) as DeadLetter;
    expect(letter.reason.code).toBe(code);
    expect(letter.payload.size).toBe(input.payload.length);
    expect(Buffer.from(letter.payload.data, 'base64').equals(input.payload.subarray(0, 16))).toBe(true);
    expect(letter.payload.truncated).toBe(input.payload.length > 16 ? true : undefined);
    expect((await metrics.deadLettered.get()).values.find((v) => v.labels.code === code)?.value).toBe(1);
  });

  it('dead-letters a record Kafka refuses for good', async () => {
    const { producer, pipeline } = setup();
    producer.failWith = (r) =>
      r.topic === 'fieldlink.telemetry' ? new KafkaError(KafkaErrorCode.Rejected, 'MESSAGE_TOO_LARGE', false) : undefined;
    await expect(pipeline.ingest(message('{"t":1}'))).resolves.toBe('dead-lettered');
    expect((JSON.parse(String(producer.sent[0]?.value)) as DeadLetter).reason.code).toBe('FL_KAFKA_REJECTED');
  });

  it('rejects, so the device is not acknowledged, when Kafka is unavailable', async () => {
    const { producer, pipeline } = setup();
    producer.failWith = () => new KafkaError(KafkaErrorCode.Unavailable, 'stopped', true);
    await expect(pipeline.ingest(message('{"t":1}'))).rejects.toThrow('stopped');
    await expect(pipeline.ingest(message('bad'))).rejects.toThrow('stopped');
  });
});
