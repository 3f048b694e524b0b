import { type ITopicConfig, type Kafka } from 'kafkajs';
import { type KafkaLogger } from './kafka.options';

export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor?: number;
  /** Topic-level configs, e.g. { 'max.message.bytes': '16777216' }. */
  configs?: Record<string, string>;
}

/** Creates the topics a service needs; existing topics are left as they are. */
export async function ensureTopics(kafka: Kafka, specs: TopicSpec[], logger: KafkaLogger): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing: ITopicConfig[] = specs
      .filter((s) => !existing.has(s.topic))
      .map((s) => ({
        topic: s.topic,
        numPartitions: s.partitions,
        replicationFactor: s.replicationFactor ?? -1,
        configEntries: Object.entries(s.configs ?? {}).map(([name, value]) => ({ name, value })),
      }));
    if (missing.length === 0) return;
    // Another replica may create the same topic at the same moment; createTopics then returns false, which is fine.
    await admin.createTopics({ topics: missing, waitForLeaders: true });
    logger.info({ topics: missing.map((t) => t.topic) }, 'created Kafka topics');
  } finally {
    await admin.disconnect();
  }
}

/** Creates the topic, or grows it to `spec.partitions` when it has fewer (partitions are never removed). */
export async function ensurePartitions(kafka: Kafka, spec: TopicSpec, logger: KafkaLogger): Promise<void> {
  await ensureTopics(kafka, [spec], logger);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [metadata] = (await admin.fetchTopicMetadata({ topics: [spec.topic] })).topics;
    const current = metadata?.partitions.length ?? 0;
    if (current >= spec.partitions) return;
    await admin.createPartitions({ topicPartitions: [{ topic: spec.topic, count: spec.partitions }], validateOnly: false });
    logger.info({ topic: spec.topic, from: current, to: spec.partitions }, 'added partitions to a Kafka topic');
  } finally {
    await admin.disconnect();
  }
}

/** Deletes topics (operators' tooling and tests that take a topic away under a running service). */
export async function deleteTopics(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Opens a fresh connection to the cluster (TCP, TLS and SASL as configured, then an ApiVersions
 * request) and resolves whether the broker answered; false instead of throwing. Not kafkajs's
 * describeCluster: that fetches the metadata of every topic in the cluster, twice, so on a
 * cluster shared by many teams each readiness probe would allocate tens of megabytes.
 */
export async function pingCluster(kafka: Kafka, timeoutMs: number): Promise<boolean> {
  const admin = kafka.admin({ retry: { retries: 0 } });
  const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());
  const ping = admin.connect().then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([ping, timeout]);
  } finally {
    void admin.disconnect().catch(() => undefined);
  }
}
