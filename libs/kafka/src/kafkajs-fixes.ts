import Module, { createRequire } from 'node:module';
import { type ICustomPartitioner, type Message, type PartitionerArgs } from 'kafkajs';
import { crc32c } from './crc32c';
import { frameRequest, type ProduceDeps, produceRequestV3 } from './produce-request-encoding';
import { batchEncoder, type BatchEncoder, batchPlanner, type LongClass, recordEncoder, type RecordEncoder } from './record-batch-encoding';

/** The kafkajs these fixes are written against; another version runs unchanged. */
export const FIXED_KAFKAJS_VERSION = '2.2.4';
/** Keys a partitioner remembers before it starts over: devices are many, but not this many. */
const REMEMBERED_KEYS = 100_000;

const load = createRequire(__filename);
const GROUPING = 'kafkajs/src/producer/groupMessagesPerPartition';
const ENCODER = 'kafkajs/src/protocol/encoder';
const RECORD = 'kafkajs/src/protocol/recordBatch/record/v0';
const RECORD_BATCH = 'kafkajs/src/protocol/recordBatch/v0';
const PRODUCE = 'kafkajs/src/protocol/requests/produce/v3/request';
const REQUEST = 'kafkajs/src/protocol/request';
const API_KEYS = 'kafkajs/src/protocol/requests/apiKeys';
const LONG = 'kafkajs/src/utils/long';
/** These load what is replaced; once any is loaded, replacing it in the cache changes nothing. */
const LOADERS = ['kafkajs/src/producer/sendMessages', PRODUCE, 'kafkajs/src/network/connection'];

interface Encoder {
  buf: Buffer;
  offset: number;
}
interface EncoderClass {
  new (initialSize?: number): Encoder;
  prototype: Encoder & { ensureAvailable(length: number): void };
  nextPowerOfTwo(value: number): number;
}
type Grouping = (args: { topic: string; partitionMetadata: unknown[]; messages: Message[]; partitioner: (args: PartitionerArgs) => number }) => Record<number, Message[]>;

/**
 * A batch's messages by partition, as kafkajs groups them, in linear time: kafkajs copies a
 * partition's array for every message it adds (`[...current, message]`), quadratic in the batch.
 */
export const groupMessagesPerPartition: Grouping = ({ topic, partitionMetadata, messages, partitioner }) => {
  const byPartition: Record<number, Message[]> = {};
  if (partitionMetadata.length === 0) return byPartition;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata: partitionMetadata as PartitionerArgs['partitionMetadata'], message });
    (byPartition[partition] ??= []).push(message);
  }
  return byPartition;
};

/**
 * Fixes four costs of kafkajs 2.2.4 (no longer maintained) on the producer's path, together
 * about half of its CPU per record at the MQTT bench's batch sizes (`npm run bench`, issue 33):
 * - the quadratic grouping above;
 * - its Encoder, one per record and more per request, starts on a zero-filled Buffer.alloc of
 *   its own, and grows with another, zero-filling memory it then overwrites. Ours starts and
 *   grows with Buffer.allocUnsafe, which small sizes take from Node's shared pool: every byte up
 *   to `offset` is written before it is read, and `buffer` is buf.slice(0, offset);
 * - its record and record batch encoding (see record-batch-encoding.ts);
 * - the copies of each batch its produce request and framing make (produce-request-encoding.ts).
 * Call it before kafkajs is loaded (libs/kafka's index does, first): those modules are replaced
 * in the module cache. Under Jest, whose modules bypass that cache, only the growth fix applies.
 */
export function fixKafkajs(): void {
  const version = (load('kafkajs/package.json') as { version: string }).version;
  if (version !== FIXED_KAFKAJS_VERSION) return;
  const Encoder = load(ENCODER) as EncoderClass;
  Encoder.prototype.ensureAvailable = function ensureAvailable(this: Encoder, length: number): void {
    if (this.offset + length <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(this.offset + length));
    this.buf.copy(grown, 0, 0, this.offset);
    this.buf = grown;
  };
  const cache = load.cache as Record<string, NodeModule> | undefined;
  if (!cache || LOADERS.some((loader) => cache[load.resolve(loader)])) return;
  replaceModule(cache, GROUPING, groupMessagesPerPartition);
  replaceModule(cache, ENCODER, pooledEncoder(Encoder));
  // Loaded after the Encoder is replaced, so that what they still encode uses ours too.
  const record = load(RECORD) as RecordEncoder;
  const batch = load(RECORD_BATCH) as { RecordBatch: BatchEncoder };
  const Record = recordEncoder(Encoder.prototype, record);
  const RecordBatch = batchEncoder(Encoder.prototype, load(LONG) as LongClass, crc32c, batch.RecordBatch);
  replaceModule(cache, RECORD, Record);
  replaceModule(cache, RECORD_BATCH, { ...batch, RecordBatch });
  const noProducerId = (load(LONG) as { fromInt(value: number): unknown }).fromInt(-1);
  const apiKey = (load(API_KEYS) as { Produce: number }).Produce;
  const planBatch = batchPlanner(load(LONG) as LongClass, crc32c);
  replaceModule(cache, PRODUCE, produceRequestV3({ Encoder: load(ENCODER) as ProduceDeps['Encoder'], planBatch, Record, RecordBatch, noProducerId, apiKey }));
  replaceModule(cache, REQUEST, frameRequest(load(ENCODER) as ProduceDeps['Encoder']));
}

/** Encoder with a constructor that takes its first buffer from the pool; the methods are kafkajs's. */
function pooledEncoder(Encoder: EncoderClass): EncoderClass {
  function PooledEncoder(this: Encoder, initialSize = 511): void {
    this.buf = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(initialSize));
    this.offset = 0;
  }
  PooledEncoder.prototype = Encoder.prototype;
  Object.setPrototypeOf(PooledEncoder, Encoder); // the static size helpers
  return PooledEncoder as unknown as EncoderClass;
}

function replaceModule(cache: Record<string, NodeModule>, request: string, exports: unknown): void {
  const path = load.resolve(request);
  const fixed = new Module(path);
  fixed.filename = path;
  fixed.exports = exports;
  fixed.loaded = true;
  cache[path] = fixed;
}

/** Whether kafkajs groups and encodes with ours: false when it was loaded first, or under Jest. */
export function kafkajsFixed(): boolean {
  return (
    (load(GROUPING) as unknown) === groupMessagesPerPartition &&
    (load(ENCODER) as EncoderClass).name === 'PooledEncoder' &&
    (load(RECORD) as RecordEncoder).name === 'encodeRecord' &&
    (load(RECORD_BATCH) as { RecordBatch: BatchEncoder }).RecordBatch.name === 'encodeRecordBatch' &&
    (load(PRODUCE) as () => unknown).name === 'produceRequest' &&
    (load(REQUEST) as () => unknown).name === 'createRequest'
  );
}

/**
 * `inner`, remembering the partition of each string key per partition count: the default
 * partitioner filters the partition list and hashes the key (murmur2) for every message.
 */
export function rememberingPartitioner(inner: ICustomPartitioner): ICustomPartitioner {
  return () => {
    const partition = inner();
    const known = new Map<string, number>();
    return (args) => {
      const { message, partitionMetadata } = args;
      if (message.partition !== undefined && message.partition !== null) return message.partition;
      if (typeof message.key !== 'string') return partition(args);
      const key = `${partitionMetadata.length}\u0000${message.key}`;
      let chosen = known.get(key);
      if (chosen === undefined) {
        chosen = partition(args);
        if (known.size >= REMEMBERED_KEYS) known.clear();
        known.set(key, chosen);
      }
      return chosen;
    };
  };
}

fixKafkajs();
