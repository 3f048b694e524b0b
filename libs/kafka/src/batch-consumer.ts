import { type Consumer, type Kafka, type KafkaMessage } from 'kafkajs';
import { describe } from './errors';
import { type KafkaMetrics } from './kafka.metrics';
import { type KafkaLogger } from './kafka.options';

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: number;
}

export interface BatchConsumerOptions {
  groupId: string;
  topics: string[];
  fromBeginning?: boolean;
  /**
   * Handles one fetched batch of one partition, in offset order. Offsets are
   * committed after it resolves; if it throws, the batch is fetched again.
   */
  handle: (records: ConsumedRecord[]) => Promise<void>;
}

/**
 * A consumer-group member that hands whole batches to its handler
 * (kafkajs eachBatch), not one message at a time as the NestJS Kafka transport does.
 */
export class BatchConsumer {
  private readonly consumer: Consumer;

  constructor(
    kafka: Kafka,
    private readonly options: BatchConsumerOptions,
    private readonly metrics: KafkaMetrics,
    private readonly logger: KafkaLogger,
  ) {
    this.consumer = kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: false });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.options.topics, fromBeginning: this.options.fromBeginning ?? false });
    await this.consumer.run({
      eachBatchAutoResolve: true,
      eachBatch: async (payload) => {
        const { batch } = payload;
        const records = batch.messages.map((m) => toRecord(batch.topic, batch.partition, m));
        try {
          await this.options.handle(records);
        } catch (error) {
          this.logger.error({ err: describe(error), topic: batch.topic, partition: batch.partition }, 'batch handler failed; it will be redelivered');
          throw error;
        }
        this.metrics.consumed.inc({ topic: batch.topic }, records.length);
        await payload.heartbeat();
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

export function toRecord(topic: string, partition: number, m: KafkaMessage): ConsumedRecord {
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key ? m.key.toString('utf8') : null,
    value: m.value,
    headers: Object.fromEntries(Object.entries(m.headers ?? {}).flatMap(([k, v]) => (v === undefined ? [] : [[k, v.toString()]]))),
    timestamp: Number(m.timestamp),
  };
}
