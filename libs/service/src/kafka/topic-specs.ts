import { type TopicSpec } from '@fieldlink/kafka';
import { type TopicMap, type TopicName } from '@fieldlink/schemas';
import { type ServiceConfig } from '../config/service-config.schema';

const TOPIC_CONFIGS: Partial<Record<TopicName, Record<string, string>>> = {
  // A dead-letter record carries up to ingest.deadLetterMaxBytes of raw bytes as base64.
  'dead-letter': { 'max.message.bytes': String(16 * 1024 * 1024) },
  // One current record per device: compaction keeps the latest for each key.
  devices: { 'cleanup.policy': 'compact' },
};

/** How a service creates the Fieldlink topics it uses, whichever service creates them first. */
export function topicSpecs(names: readonly TopicName[], topics: TopicMap, config: ServiceConfig['topics']): TopicSpec[] {
  return names.map((name) => {
    const configs = TOPIC_CONFIGS[name];
    return { topic: topics[name], partitions: config.partitions, replicationFactor: config.replicationFactor, ...(configs ? { configs } : {}) };
  });
}
