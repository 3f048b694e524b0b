import { type TopicSpec } from '@fieldlink/kafka';
import { type TopicMap, type TopicName } from '@fieldlink/schemas';
import { type ServiceConfig } from '../config/service-config.schema';

// A dead-letter record carries up to ingest.deadLetterMaxBytes of raw bytes as base64.
const DEAD_LETTER_MAX_MESSAGE_BYTES = String(16 * 1024 * 1024);

/** How a service creates the Fieldlink topics it uses, whichever service creates them first. */
export function topicSpecs(names: readonly TopicName[], topics: TopicMap, config: ServiceConfig['topics']): TopicSpec[] {
  return names.map((name) => ({
    topic: topics[name],
    partitions: config.partitions,
    replicationFactor: config.replicationFactor,
    ...(name === 'dead-letter' ? { configs: { 'max.message.bytes': DEAD_LETTER_MAX_MESSAGE_BYTES } } : {}),
  }));
}
