import { withTimeout } from '@fieldlink/resilience';
import { type Admin, type Kafka } from 'kafkajs';

/** Longer than any commit takes; a seek kafkajs skips (a partition the topic lacks) must not hang a start. */
const COMMIT_TIMEOUT_MS = 30_000;

export interface GroupOffsets {
  groupId: string;
  topic: string;
  partitions: { partition: number; offset: string }[];
}

/**
 * Commits `partitions`' offsets for a group that has no running member, as kafkajs's
 * admin.setOffsets does, in about a tenth of a second instead of five. kafkajs commits through a
 * consumer whose topic is paused; that consumer's first fetch finds nothing to fetch and sleeps
 * maxWaitTimeInMs (5 s, not settable through the admin) before it may stop. A gateway pays this
 * for every consumer it rewinds or pins at start, so it took 15 s to become ready.
 * `admin`, connected, reads the offsets back.
 */
export async function setGroupOffsets(kafka: Kafka, admin: Admin, { groupId, topic, partitions }: GroupOffsets): Promise<void> {
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 50 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const { state } = await consumer.describeGroup();
    if (state !== 'Empty' && state !== 'Dead') throw new Error(`The consumer group must have no running instances, current state: ${state}`);
    // Each broker's fetcher commits the seeks of the partitions it leads, then fetches; a FETCH
    // event from one says nothing of the others, so done is when the group's offsets read back.
    const committed = async () => {
      const [read] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const offsets = new Map(read?.partitions.map((p) => [p.partition, p.offset]));
      return partitions.every((p) => offsets.get(p.partition) === p.offset);
    };
    const done = new Promise<void>((resolve, reject) => {
      let checking = false;
      consumer.on(consumer.events.FETCH, () => {
        if (checking) return;
        checking = true;
        committed()
          .then((all) => (all ? resolve() : (checking = false)))
          .catch(reject);
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
      consumer.run({ eachBatchAutoResolve: false, eachBatch: () => Promise.resolve() }).catch(reject);
      // Synchronously after run(), as kafkajs does: nothing may be fetched, and the seeks must come before the first fetch.
      consumer.pause([{ topic }]);
      for (const { partition, offset } of partitions) consumer.seek({ topic, partition, offset });
    });
    await withTimeout(done, COMMIT_TIMEOUT_MS, `offsets of group ${groupId} on ${topic} not committed within ${COMMIT_TIMEOUT_MS} ms`);
  } finally {
    await consumer.disconnect();
  }
}
