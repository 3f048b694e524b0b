/** The logical topics of the Kafka backbone. */
export const TOPIC_NAMES = [
  'telemetry',
  'device-status',
  'dead-letter',
  'commands',
  'command-results',
  'alerts',
  'window-stats',
  'devices',
] as const;
export type TopicName = (typeof TOPIC_NAMES)[number];

export const DEFAULT_TOPIC_PREFIX = 'fieldlink.';

/** Builds `<prefix><name>`, e.g. `fieldlink.telemetry`. */
export function topicName(name: TopicName, prefix: string = DEFAULT_TOPIC_PREFIX): string {
  return `${prefix}${name}`;
}

export type TopicMap = Record<TopicName, string>;

/** All topic names for one prefix. */
export function topicMap(prefix: string = DEFAULT_TOPIC_PREFIX): TopicMap {
  return Object.fromEntries(TOPIC_NAMES.map((n) => [n, topicName(n, prefix)])) as TopicMap;
}
