import { freshName, sharedInfra, waitFor } from '@fieldlink/testing';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { setGroupOffsets } from '../src/group-offsets';

describe('setGroupOffsets', () => {
  let kafka: Kafka;
  let admin: Admin;
  let topic: string;
  const targets = [
    { partition: 0, offset: '3' },
    { partition: 1, offset: '1' },
    { partition: 2, offset: '2' },
  ];
  const committed = async (groupId: string) => {
    const [read] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return read?.partitions.map(({ partition, offset }) => ({ partition, offset })).sort((a, b) => a.partition - b.partition);
  };

  beforeEach(async () => {
    const { kafkaBrokers } = await sharedInfra();
    topic = freshName('group-offsets');
    kafka = new Kafka({ brokers: [kafkaBrokers], clientId: topic, logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [0, 1, 2].flatMap((partition) => [1, 2, 3].map((n) => ({ partition, value: `${n}` }))) });
    await producer.disconnect();
  });
  afterEach(() => admin.disconnect());

  it('commits the offsets kafkajs admin.setOffsets commits, without its five-second wait', async () => {
    const ours = `${topic}-ours`;
    const kafkajs = `${topic}-kafkajs`;
    let started = performance.now();
    await setGroupOffsets(kafka, admin, { groupId: ours, topic, partitions: targets });
    const oursMs = performance.now() - started;
    started = performance.now();
    await admin.setOffsets({ groupId: kafkajs, topic, partitions: targets });
    const kafkajsMs = performance.now() - started;

    expect(await committed(ours)).toEqual(targets);
    expect(await committed(kafkajs)).toEqual(targets);
    // kafkajs sleeps its consumer's maxWaitTimeInMs (5 s) on every call; a relative bound holds on a slow machine.
    expect(oursMs).toBeLessThan(kafkajsMs / 2);
  });

  it('refuses while the group has a running member, and leaves its offsets alone', async () => {
    const groupId = `${topic}-busy`;
    await setGroupOffsets(kafka, admin, { groupId, topic, partitions: targets });
    const member = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    let joined = false;
    member.on(member.events.GROUP_JOIN, () => (joined = true));
    await member.connect();
    try {
      await member.subscribe({ topics: [topic] });
      await member.run({ autoCommit: false, eachBatch: () => Promise.resolve() });
      await waitFor('the member to join', () => joined, { timeoutMs: 30_000 });

      await expect(setGroupOffsets(kafka, admin, { groupId, topic, partitions: targets.map((t) => ({ ...t, offset: '0' })) })).rejects.toThrow(/no running instances/);
      expect(await committed(groupId)).toEqual(targets);
    } finally {
      await member.disconnect();
    }
  });
});
