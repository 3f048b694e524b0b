import { type BatchEncoder, type BatchPlanner, type KafkajsEncoder, type RecordEncoder, type RequestPart } from './record-batch-encoding';

/**
 * kafkajs 2.2.4's Produce v3 request and request framing, byte for byte, with each record batch
 * written once, straight into the request's buffer. kafkajs writes each record into a buffer of
 * its own, then nests an Encoder per batch, partition, topic, body, header and size prefix, each
 * copying the batch into a buffer it grows by doubling: every request allocated about ten times
 * its own size. Those buffers live outside V8's heap, and V8 starts a full collection whenever
 * that external memory has grown by 64 MB: at half load the gateway ran one every second or so,
 * and each held messages up for tens of milliseconds.
 */

interface EncoderClass {
  new (initialSize?: number): KafkajsEncoder & EncoderWriters;
  prototype: KafkajsEncoder;
}
interface EncoderWriters {
  writeInt16(value: number): this;
  writeInt32(value: number): this;
  writeString(value: string | null): this;
  readonly buffer: Buffer;
}
interface ProduceMessage {
  key?: Buffer | string | null;
  value?: Buffer | string | null;
  headers?: Record<string, unknown>;
  /** kafkajs's type says string; numbers get through too. */
  timestamp?: string | number | null;
}
interface PartitionData {
  partition: number;
  firstSequence?: number;
  messages: ProduceMessage[];
}
interface ProduceArgs {
  acks: number;
  timeout: number;
  transactionalId?: string | null;
  producerId?: unknown;
  producerEpoch?: number;
  compression?: number;
  topicData: { topic: string; partitions: PartitionData[] }[];
}
interface Request {
  apiKey: number;
  apiVersion: number;
  apiName: string;
  expectResponse(): boolean;
  encode(): Promise<KafkajsEncoder | RequestParts>;
}
export interface ProduceDeps {
  Encoder: EncoderClass;
  /** An uncompressed batch written in place, where it can be. */
  planBatch: BatchPlanner;
  /** kafkajs's record and batch encodings, for what planBatch leaves. */
  Record: RecordEncoder;
  RecordBatch: BatchEncoder;
  /** kafkajs's Long.fromInt(-1): no producer id. */
  noProducerId: unknown;
  apiKey: number;
}

/** A request body as the parts that make it up, in order; the framing writes each once. */
export class RequestParts {
  constructor(readonly parts: RequestPart[]) {}

  get buffer(): Buffer {
    const buf = Buffer.allocUnsafe(this.size());
    let at = 0;
    for (const part of this.parts) {
      part.write(buf, at);
      at += part.size;
    }
    return buf;
  }

  size(): number {
    return this.parts.reduce((sum, part) => sum + part.size, 0);
  }
}

const bytesPart = (bytes: Buffer): RequestPart => ({ size: bytes.length, write: (buf, at) => void bytes.copy(buf, at) });

/** kafkajs's protocol/requests/produce/v3/request. */
export function produceRequestV3({ Encoder, planBatch, Record, RecordBatch, noProducerId, apiKey }: ProduceDeps): (args: ProduceArgs) => Request {
  return function produceRequest({ acks, timeout, transactionalId = null, producerId = noProducerId, producerEpoch = 0, compression = 0, topicData }) {
    const encodeBatch = async ({ messages, firstSequence }: PartitionData): Promise<RequestPart> => {
      const dateNow = Date.now();
      const { first, max } = timestampRange(messages, dateNow);
      // Subtraction coerces as kafkajs's does: timestamps may be strings.
      const records = messages.map((message, i) => ({ key: message.key, value: message.value, headers: message.headers, offsetDelta: i, timestampDelta: ((message.timestamp || dateNow) as number) - (first as number) }));
      const fields = { compression, firstTimestamp: first, maxTimestamp: max, producerId, producerEpoch, firstSequence, transactional: !!transactionalId, lastOffsetDelta: records.length - 1 };
      const planned = planBatch(fields, records);
      if (planned) return planned;
      const batch = await RecordBatch({ ...fields, records: records.map((record) => Record(record)) });
      return bytesPart(batch.buf.subarray(0, batch.offset));
    };
    return {
      apiKey,
      apiVersion: 3,
      apiName: 'Produce',
      expectResponse: () => acks !== 0,
      encode: async () => {
        const parts = [bytesPart(new Encoder(16).writeString(transactionalId).writeInt16(acks).writeInt32(timeout).writeInt32(topicData.length).buffer)];
        for (const { topic, partitions } of topicData) {
          parts.push(bytesPart(new Encoder(16).writeString(topic).writeInt32(partitions.length).buffer));
          for (const data of partitions) {
            const batch = await encodeBatch(data);
            parts.push(bytesPart(new Encoder(8).writeInt32(data.partition).writeInt32(batch.size).buffer), batch);
          }
        }
        return new RequestParts(parts);
      },
    };
  };
}

/**
 * The first and last of the messages' timestamps as kafkajs finds them: by sorting them with
 * Array.prototype.sort's default order, as strings, and stably. `now` when none has one.
 */
export function timestampRange(messages: ProduceMessage[], now: number): { first: string | number; max: string | number } {
  let first: string | number = now;
  let max: string | number = now;
  let firstText: string | undefined;
  let maxText: string | undefined;
  for (const { timestamp } of messages) {
    if (timestamp === null || timestamp === undefined) continue;
    const text = String(timestamp);
    if (firstText === undefined || text < firstText) [first, firstText] = [timestamp, text];
    if (maxText === undefined || text >= maxText) [max, maxText] = [timestamp, text];
  }
  return { first, max };
}

/** kafkajs's protocol/request: size, header and body written once into a buffer of exactly their size. */
export function frameRequest(Encoder: EncoderClass) {
  return async function createRequest({ correlationId, clientId, request }: { correlationId: number; clientId: string | null; request: Request }): Promise<KafkajsEncoder> {
    const payload = await request.encode();
    const parts = payload instanceof RequestParts ? payload.parts : [bytesPart(payload.buf.subarray(0, payload.offset))];
    const header = new Encoder(64).writeInt32(0).writeInt16(request.apiKey).writeInt16(request.apiVersion).writeInt32(correlationId).writeString(clientId).buffer;
    let size = header.length;
    for (const part of parts) size += part.size;
    const framed = Object.create(Encoder.prototype) as KafkajsEncoder;
    framed.buf = Buffer.allocUnsafe(size);
    framed.offset = size;
    header.copy(framed.buf, 0);
    framed.buf.writeInt32BE(size - 4, 0);
    let at = header.length;
    for (const part of parts) {
      part.write(framed.buf, at);
      at += part.size;
    }
    return framed;
  };
}
