// First: kafkajs must be fixed before anything loads it (see kafkajs-fixes.ts).
import './kafkajs-fixes';
export { BatchConsumer, type BatchConsumerOptions, type ConsumedRecord } from './batch-consumer';
export { BatchingProducer } from './batching-producer';
export { type OutgoingRecord } from './outgoing-record';
export { KafkaError, KafkaErrorCode } from './errors';
export {
  type Compression,
  type KafkaLogger,
  type KafkaOptions,
  type KafkaSasl,
  type KafkaTls,
  PRODUCER_DEFAULTS,
  type ProducerOptions,
} from './kafka.options';
export { KafkaService, type KafkaServiceOptions, type KafkaWatchdogConfig } from './kafka.service';
export { type TopicSpec } from './topic-admin';
export { type HandleResult, type PartitionControl, type PartitionRef, ReplayingConsumer, type ReplayingConsumerOptions } from './replaying-consumer';
export { GroupMembership, type GroupMembershipOptions } from './group-membership';
