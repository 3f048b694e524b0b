import { KafkaError, KafkaErrorCode, type OutgoingRecord } from '@fieldlink/kafka';
import { type DeadLetter, type DeviceStatus, type Telemetry, topicMap } from '@fieldlink/schemas';
import pino from 'pino';
import { Registry } from 'prom-client';
import { DeadLetterWriter } from '../dead-letter/dead-letter.writer';
import { IngestMetrics } from '../observability/ingest.metrics';
import { type SinkState } from '../spool/record-sink';
import { type DecodedMessage, type EncodedMessage } from './inbound-message';
import { IngestPipeline } from './ingest.pipeline';

/** A producer fake: records what is sent, or fails the way it is told to. */
class FakeProducer {
  sent: OutgoingRecord[] = [];
  failWith: ((record: OutgoingRecord) => Error | undefined) | undefined;
  state: SinkState = 'accepting';
  send(record: OutgoingRecord): Promise<void> {
    const error = this.failWith?.(record);
    if (error) return Promise.reject(error);
    this.sent.push(record);
    return Promise.resolve();
  }
}

function setup(over: { rejectWhenFull?: boolean } = {}) {
  const producer = new FakeProducer();
  const metrics = new IngestMetrics(new Registry());
  const topics = topicMap();
  const deadLetters = new DeadLetterWriter(producer, { protocol: 'mqtt', instanceId: 'gw-1', topic: topics['dead-letter'], maxBytes: 16 }, metrics, pino({ level: 'silent' }));
  const pipeline = new IngestPipeline(producer, { protocol: 'mqtt', instanceId: 'gw-1', topics, maxPayloadBytes: 64, retryAfterMs: 7000, ...over }, deadLetters, metrics);
  return { producer, pipeline, metrics };
}

const message = (payload: string | Buffer, over: Partial<EncodedMessage> = {}): EncodedMessage => ({
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
    await expect(pipeline.ingest(message('{"t":1}', { labels: { site: 'a' } }))).resolves.toEqual({ status: 'forwarded', records: 1, deviceId: 'dev-1' });
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

  it('writes a status the gateway observed as a device-status record keyed by deviceId, with its detail and stable id', async () => {
    const { producer, pipeline } = setup();
    const at = new Date('2026-01-01T00:01:00Z');
    await expect(pipeline.reportStatus({ deviceId: 'plc-1', route: 'plc-1', ref: 'opc.tcp://plc:4840', status: 'offline', detail: { reason: 'connection_lost' }, at, id: 'gap-1' })).resolves.toEqual({
      status: 'forwarded',
      records: 1,
      deviceId: 'plc-1',
    });
    const [record] = producer.sent;
    expect(record).toMatchObject({ topic: 'fieldlink.device-status', key: 'plc-1' });
    expect(JSON.parse(String(record?.value)) as DeviceStatus).toEqual({
      schemaVersion: 1,
      id: 'gap-1',
      deviceId: 'plc-1',
      eventTime: '2026-01-01T00:01:00.000Z',
      receiveTime: '2026-01-01T00:01:00.000Z',
      source: { protocol: 'mqtt', gateway: 'gw-1', ref: 'opc.tcp://plc:4840', mapping: 'plc-1' },
      status: 'offline',
      detail: { reason: 'connection_lost' },
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
    await expect(pipeline.ingest(input)).resolves.toMatchObject({ status: 'dead-lettered', code });
    expect(producer.sent).toHaveLength(1);
    expect(producer.sent[0]?.topic).toBe('fieldlink.dead-letter');
    const letter = JSON.parse(String(producer.sent[0]?.value)) as DeadLetter;
    expect(letter.reason.code).toBe(code);
    expect(letter.payload.size).toBe(input.payload.length);
    expect(Buffer.from(letter.payload.data, 'base64').equals(input.payload.subarray(0, 16))).toBe(true);
    expect(letter.payload.truncated).toBe(input.payload.length > 16 ? true : undefined);
    expect((await metrics.deadLettered.get()).values.find((v) => v.labels.code === code)?.value).toBe(1);
  });

  it('dead-letters a payload the transport kept only the start of as too large, with its full size, marked truncated', async () => {
    const { producer, pipeline, metrics } = setup();
    const start = Buffer.from('{"t":1}'); // decodable, so only the size can refuse it
    await expect(pipeline.ingest(message(start, { payloadSize: 200_000_000 }))).resolves.toMatchObject({
      status: 'dead-lettered',
      code: 'FL_DECODE_TOO_LARGE',
      message: 'payload of 200000000 bytes exceeds ingest.maxPayloadBytes (64)',
    });
    expect(producer.sent.map((r) => r.topic)).toEqual(['fieldlink.dead-letter']);
    const letter = JSON.parse(String(producer.sent[0]?.value)) as DeadLetter;
    expect(letter.payload).toEqual({ encoding: 'base64', size: 200_000_000, data: start.toString('base64'), truncated: true });
    expect((await metrics.deadLettered.get()).values).toMatchObject([{ labels: { code: 'FL_DECODE_TOO_LARGE' }, value: 1 }]);
  });

  it('dead-letters a record Kafka refuses for good', async () => {
    const { producer, pipeline } = setup();
    producer.failWith = (r) =>
      r.topic === 'fieldlink.telemetry' ? new KafkaError(KafkaErrorCode.Rejected, 'MESSAGE_TOO_LARGE', false) : undefined;
    await expect(pipeline.ingest(message('{"t":1}'))).resolves.toMatchObject({ status: 'dead-lettered', code: 'FL_KAFKA_REJECTED' });
    expect((JSON.parse(String(producer.sent[0]?.value)) as DeadLetter).reason.code).toBe('FL_KAFKA_REJECTED');
  });

  it('rejects, so the device is not acknowledged, when Kafka is unavailable', async () => {
    const { producer, pipeline } = setup();
    producer.failWith = () => new KafkaError(KafkaErrorCode.Unavailable, 'stopped', true);
    await expect(pipeline.ingest(message('{"t":1}'))).rejects.toThrow('stopped');
    await expect(pipeline.ingest(message('bad'))).rejects.toThrow('stopped');
  });

  it('dead-letters a message that matched no route, with its bytes and FL_MAP_NO_ROUTE', async () => {
    const { producer, pipeline, metrics } = setup();
    const outcome = await pipeline.ingest({ payload: Buffer.from('{"t":1}'), deviceId: undefined, ref: 'other/topic', receivedAt: new Date() });
    expect(outcome).toMatchObject({ status: 'dead-lettered', code: 'FL_MAP_NO_ROUTE' });
    const letter = JSON.parse(String(producer.sent[0]?.value)) as DeadLetter;
    expect(producer.sent[0]?.topic).toBe('fieldlink.dead-letter');
    expect(letter.source).toEqual({ protocol: 'mqtt', gateway: 'gw-1', ref: 'other/topic' });
    expect(Buffer.from(letter.payload.data, 'base64').toString()).toBe('{"t":1}');
    expect((await metrics.deadLettered.get()).values.find((v) => v.labels.code === 'FL_MAP_NO_ROUTE')?.labels.mapping).toBe('(none)');
  });

  it('gives each reading of one message its own id derived from the message id', async () => {
    const { producer, pipeline } = setup();
    const pack = '[{"bn":"d","n":"a","v":1,"t":1},{"n":"a","v":2,"t":2}]';
    await pipeline.ingest(message(pack, { id: 'mqtt-x', route: { name: 'm', kind: 'telemetry', decoder: 'senml' } }));
    expect(producer.sent.map((r) => (JSON.parse(String(r.value)) as Telemetry).id)).toEqual(['mqtt-x', 'mqtt-x-1']);
  });

  it('uses the content id for a reading with its own event time, so a re-sent reading repeats its id; a reading without one keeps the message id', async () => {
    const { producer, pipeline } = setup();
    const route = { name: 'm', kind: 'telemetry' as const, decoder: 'json' as const, decodeOptions: { timestampField: 'ts' } };
    await pipeline.ingest(message('{"t":1,"ts":1700000000000}', { route, id: 'msg-1', contentId: 'body-a' }));
    await pipeline.ingest(message('{"t":1,"ts":1700000000000}', { route, id: 'msg-2', contentId: 'body-a' }));
    await pipeline.ingest(message('{"t":1}', { route, id: 'msg-3', contentId: 'body-b' }));
    await pipeline.ingest(message('{"t":1}', { route, id: 'msg-4', contentId: 'body-b' }));
    expect(producer.sent.map((r) => (JSON.parse(String(r.value)) as Telemetry).id)).toEqual(['body-a', 'body-a', 'msg-3', 'msg-4']);
  });

  it('takes the deviceId from the body for a route with deviceIdField, and does not make it a metric', async () => {
    const { producer, pipeline } = setup();
    const route = { name: 'body', kind: 'telemetry' as const, decoder: 'json' as const, decodeOptions: { deviceIdField: 'device_id' } };
    await pipeline.ingest(message('{"device_id":"pump-9","t":1}', { route, deviceId: undefined }));
    const outcome = await pipeline.ingest(message('{"t":2}', { route, deviceId: undefined }));
    expect(producer.sent[0]?.key).toBe('pump-9');
    expect((JSON.parse(String(producer.sent[0]?.value)) as Telemetry).values).toEqual({ t: { value: 1 } });
    expect(outcome).toMatchObject({ status: 'dead-lettered', code: 'FL_MAP_NO_DEVICE' });
  });

  describe('readings the adapter decoded', () => {
    const decoded = (over: Partial<DecodedMessage> = {}): DecodedMessage => ({
      route: { name: 'opc' },
      readings: [
        {
          values: { temperature: { value: 21.5, unit: 'Cel', quality: 0 }, count: { value: 2n ** 60n }, axis: { value: [1, 2] }, pump: { value: { on: true, rpm: 1200 } } },
          sourceTime: new Date('2026-01-01T00:00:01.123Z'),
          serverTime: new Date('2026-01-01T00:00:01.456Z'),
        },
      ],
      deviceId: 'dev-1',
      ref: 'ns=2;s=Boiler',
      receivedAt: new Date('2026-01-01T00:00:02Z'),
      ...over,
    });

    it('become telemetry with quality, unit, source time as event time, and server time', async () => {
      const { producer, pipeline } = setup();
      await expect(pipeline.ingest(decoded())).resolves.toEqual({ status: 'forwarded', records: 1, deviceId: 'dev-1' });
      const envelope = JSON.parse(String(producer.sent[0]?.value)) as Telemetry;
      expect(envelope.eventTime).toBe('2026-01-01T00:00:01.123Z');
      expect(envelope.serverTime).toBe('2026-01-01T00:00:01.456Z');
      expect(envelope.receiveTime).toBe('2026-01-01T00:00:02.000Z');
      expect(envelope.values).toEqual({
        temperature: { value: 21.5, unit: 'Cel', quality: 0 },
        count: { value: '1152921504606846976' },
        'axis[0]': { value: 1 },
        'axis[1]': { value: 2 },
        'pump.on': { value: true },
        'pump.rpm': { value: 1200 },
      });
    });

    it('keep a bad quality as it is rather than dropping the value', async () => {
      const { producer, pipeline } = setup();
      await pipeline.ingest(decoded({ readings: [{ values: { level: { value: 3, quality: 0x80000000 } } }] }));
      const envelope = JSON.parse(String(producer.sent[0]?.value)) as Telemetry;
      expect(envelope.values['level']).toEqual({ value: 3, quality: 0x80000000 });
      expect(envelope.eventTime).toBe('2026-01-01T00:00:02.000Z');
      expect(envelope.serverTime).toBeUndefined();
    });

    it('dead-letter a reading with no values, the readings as JSON in the payload', async () => {
      const { producer, pipeline } = setup();
      const outcome = await pipeline.ingest(decoded({ readings: [{ values: { gone: { value: null } } }] }));
      expect(outcome).toMatchObject({ status: 'dead-lettered', code: 'FL_DECODE_NO_METRICS' });
      const letter = JSON.parse(String(producer.sent[0]?.value)) as DeadLetter;
      const raw = JSON.stringify([{ values: { gone: { value: null } } }]);
      expect(letter.payload).toMatchObject({ size: raw.length, truncated: true });
      expect(Buffer.from(letter.payload.data, 'base64').toString()).toBe(raw.slice(0, 16));
    });
    it('dead-letter with the raw bytes the adapter gave in place of a payload, e.g. a DDS sample as JSON', async () => {
      const { producer, pipeline } = setup();
      const outcome = await pipeline.deadLetter(decoded({ readings: [], raw: Buffer.from('{"s":1}') }), new Error('unmappable'));
      expect(outcome).toEqual({ status: 'dead-lettered', code: 'FL_INTERNAL', message: 'unmappable' });
      const letter = JSON.parse(String(producer.sent[0]?.value)) as DeadLetter;
      expect(letter).toMatchObject({ deviceId: 'dev-1', source: { protocol: 'mqtt', ref: 'ns=2;s=Boiler', mapping: 'opc' } });
      expect(Buffer.from(letter.payload.data, 'base64').toString()).toBe('{"s":1}');
    });
  });

  describe('a full sink', () => {
    it('with overflow reject: refuses up front, writes nothing, and says when to retry', async () => {
      const { producer, pipeline, metrics } = setup({ rejectWhenFull: true });
      producer.state = 'full';
      expect(pipeline.sinkState).toBe('full');
      await expect(pipeline.ingest(message('{"t":1}'))).resolves.toEqual({ status: 'rejected', code: 'FL_SINK_FULL', message: 'spool full; retry later', retryAfterMs: 7000 });
      expect(producer.sent).toEqual([]);
      expect((await metrics.rejected.get()).values[0]?.value).toBe(1);
    });

    it('ingestOnce, for a source that will not send again: a reading the full sink refuses goes to the dead letters, or, refused there too, is counted', async () => {
      const { producer, pipeline, metrics } = setup({ rejectWhenFull: true });
      producer.state = 'full';
      producer.failWith = () => new KafkaError(KafkaErrorCode.Unavailable, 'Kafka away', true);
      await expect(pipeline.ingestOnce(message('{"t":1}'))).resolves.toMatchObject({ status: 'dead-lettered', code: 'FL_SINK_FULL' });
      expect((await metrics.deadLetterFailed.get()).values[0]?.value).toBe(1);
      producer.failWith = undefined;
      await expect(pipeline.ingestOnce(message('{"t":2}'))).resolves.toMatchObject({ status: 'dead-lettered', code: 'FL_SINK_FULL' });
      const letter = JSON.parse(String(producer.sent[0]?.value)) as DeadLetter;
      expect(Buffer.from(letter.payload.data, 'base64').toString()).toBe('{"t":2}');
    });

    it('reportStatusOnce: a status report that cannot be written goes to the dead letters with the report as its bytes', async () => {
      const { producer, pipeline } = setup();
      producer.failWith = (record) => (record.topic === 'fieldlink.device-status' ? new KafkaError(KafkaErrorCode.Unavailable, 'Kafka away', true) : undefined);
      const report = { deviceId: 'plc-1', route: 'plc-1', ref: 'opc.tcp://plc:4840', status: 'offline', at: new Date('2026-01-01T00:01:00Z'), id: 'gap-1' };
      await expect(pipeline.reportStatusOnce(report)).resolves.toMatchObject({ status: 'dead-lettered', code: 'FL_KAFKA_UNAVAILABLE' });
      const letter = JSON.parse(String(producer.sent[0]?.value)) as DeadLetter;
      expect(letter).toMatchObject({ id: 'gap-1', deviceId: 'plc-1', payload: { truncated: true } });
    });

    it('with another policy: hands the record to the sink, which applies its policy', async () => {
      const { producer, pipeline } = setup();
      producer.state = 'full';
      await expect(pipeline.ingest(message('{"t":1}'))).resolves.toMatchObject({ status: 'forwarded' });
    });
  });
});
