import { KafkaError, KafkaErrorCode, type OutgoingRecord } from '@fieldlink/kafka';
import { type DeadLetter, SchemaError, SchemaErrorCode, topicMap } from '@fieldlink/schemas';
import pino from 'pino';
import { Registry } from 'prom-client';
import { CoreError, CoreErrorCode, GatewayError } from '../errors';
import { IngestMetrics } from '../observability/ingest.metrics';
import { DeadLetterWriter, type DeadLetterSubject } from './dead-letter.writer';

/** A sink fake: records what is sent, or fails with the error it is given. */
class FakeSink {
  readonly state = 'accepting';
  sent: OutgoingRecord[] = [];
  failWith: Error | undefined;
  send(record: OutgoingRecord): Promise<void> {
    if (this.failWith) return Promise.reject(this.failWith);
    this.sent.push(record);
    return Promise.resolve();
  }
}

function setup() {
  const sink = new FakeSink();
  const metrics = new IngestMetrics(new Registry());
  const writer = new DeadLetterWriter(sink, { protocol: 'coap', instanceId: 'gw-1', topic: topicMap()['dead-letter'], maxBytes: 4 }, metrics, pino({ level: 'silent' }));
  const letters = () => sink.sent.map((r) => JSON.parse(String(r.value)) as DeadLetter);
  return { sink, metrics, writer, letters };
}

const subject = (over: Partial<DeadLetterSubject> = {}): DeadLetterSubject => ({
  route: 'sensors',
  deviceId: 'pump-1',
  ref: 'sensors/pump-1',
  receivedAt: new Date('2026-01-01T00:00:00Z'),
  id: 'coap-1',
  raw: Buffer.from('abcdef'),
  ...over,
});

class AppError extends GatewayError {}

describe(DeadLetterWriter.name, () => {
  it('leaves out a deviceId too long for a record (a 300-character topic level) and writes the rest', async () => {
    const { sink, writer, letters } = setup();
    const outcome = await writer.write(subject({ deviceId: 'a'.repeat(300) }), new SchemaError(SchemaErrorCode.InvalidJson, 'not JSON'));
    expect(outcome.status).toBe('dead-lettered');
    expect(letters()[0]).not.toHaveProperty('deviceId');
    expect(sink.sent[0]?.key).toBeNull();
  });

  it('never throws at its caller when the letter itself is invalid: it logs and counts it', async () => {
    const { sink, writer, metrics } = setup();
    const outcome = await writer.write(subject({ id: 'x'.repeat(200) }), new SchemaError(SchemaErrorCode.InvalidJson, 'not JSON'));
    expect(outcome.status).toBe('dead-lettered');
    expect(sink.sent).toHaveLength(0);
    expect((await metrics.deadLetterFailed.get()).values[0]?.value).toBe(1);
  });

  it('writes the raw bytes, truncated to maxBytes, and the reason, keyed by deviceId, and says so', async () => {
    const { sink, writer, letters } = setup();
    const outcome = await writer.write(subject(), new SchemaError(SchemaErrorCode.InvalidJson, 'not JSON'));
    expect(outcome).toEqual({ status: 'dead-lettered', code: 'FL_DECODE_INVALID_JSON', message: 'not JSON' });
    expect(sink.sent[0]).toMatchObject({ topic: 'fieldlink.dead-letter', key: 'pump-1' });
    expect(letters()).toEqual([
      {
        schemaVersion: 1,
        id: 'coap-1',
        receiveTime: '2026-01-01T00:00:00.000Z',
        source: { protocol: 'coap', gateway: 'gw-1', ref: 'sensors/pump-1', mapping: 'sensors' },
        reason: { code: 'FL_DECODE_INVALID_JSON', message: 'not JSON' },
        payload: { encoding: 'base64', size: 6, data: Buffer.from('abcd').toString('base64'), truncated: true },
        deviceId: 'pump-1',
      },
    ]);
  });

  it('reports the full size of a message whose raw bytes are only its start, and marks it truncated', async () => {
    const { writer, letters } = setup();
    await writer.write(subject({ raw: Buffer.from('ab'), size: 50_000_000 }), new CoreError(CoreErrorCode.PayloadTooLarge, 'too large'));
    expect(letters()[0]?.payload).toEqual({ encoding: 'base64', size: 50_000_000, data: Buffer.from('ab').toString('base64'), truncated: true });
  });

  it('writes a message no route matched without a mapping or deviceId, with a fresh id, and labels it (none)', async () => {
    const { sink, writer, letters, metrics } = setup();
    await writer.write(subject({ route: undefined, deviceId: undefined, id: undefined, raw: Buffer.from('ab') }), new CoreError(CoreErrorCode.MapNoRoute, 'no route'));
    await writer.write(subject({ route: undefined, deviceId: undefined, id: undefined, raw: Buffer.from('ab') }), new CoreError(CoreErrorCode.MapNoRoute, 'no route'));
    const [first, second] = letters();
    expect(sink.sent[0]?.key).toBeNull();
    expect(first?.source).toEqual({ protocol: 'coap', gateway: 'gw-1', ref: 'sensors/pump-1' });
    expect(first).not.toHaveProperty('deviceId');
    expect(first?.payload).toEqual({ encoding: 'base64', size: 2, data: Buffer.from('ab').toString('base64') });
    expect(first?.id).not.toBe(second?.id);
    expect((await metrics.deadLettered.get()).values).toMatchObject([{ labels: { mapping: '(none)', code: 'FL_MAP_NO_ROUTE' }, value: 2 }]);
  });

  it.each([
    ['a schema error', new SchemaError(SchemaErrorCode.NoMetrics, 'x'), 'FL_DECODE_NO_METRICS'],
    ['a core error', new CoreError(CoreErrorCode.PayloadTooLarge, 'x'), 'FL_DECODE_TOO_LARGE'],
    ["a gateway's own error", new AppError('FL_APP_ONLY', 'x'), 'FL_APP_ONLY'],
    ['a Kafka error', new KafkaError(KafkaErrorCode.Rejected, 'x', false), 'FL_KAFKA_REJECTED'],
    ['any other error', new Error('x'), 'FL_INTERNAL'],
    ['a thrown string', 'x', 'FL_INTERNAL'],
  ])('takes the reason code from %s', async (_name, error, code) => {
    const { writer, letters } = setup();
    await expect(writer.write(subject(), error)).resolves.toEqual({ status: 'dead-lettered', code, message: 'x' });
    expect(letters()[0]?.reason).toEqual({ code, message: 'x' });
  });

  it('rejects when Kafka is unavailable, so the caller does not acknowledge', async () => {
    const { sink, writer, metrics } = setup();
    sink.failWith = new KafkaError(KafkaErrorCode.Unavailable, 'stopped', true);
    await expect(writer.write(subject(), new Error('x'))).rejects.toThrow('stopped');
    expect((await metrics.deadLettered.get()).values).toEqual([]);
  });

  it('counts a record refused for good as failed and as dead-lettered, and resolves', async () => {
    const { sink, writer, metrics } = setup();
    sink.failWith = new KafkaError(KafkaErrorCode.Rejected, 'MESSAGE_TOO_LARGE', false);
    await expect(writer.write(subject(), new Error('x'))).resolves.toMatchObject({ status: 'dead-lettered', code: 'FL_INTERNAL' });
    expect((await metrics.deadLetterFailed.get()).values).toMatchObject([{ labels: { mapping: 'sensors' }, value: 1 }]);
    expect((await metrics.deadLettered.get()).values).toMatchObject([{ labels: { mapping: 'sensors', code: 'FL_INTERNAL' }, value: 1 }]);
  });
});
