import { freshName, sharedInfra, waitFor } from '@fieldlink/testing';
import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import { Registry } from 'prom-client';
import { KafkaService } from '../src/kafka.service';

describe('BatchConsumer positions', () => {
  let service: KafkaService | undefined;
  afterEach(async () => {
    await service?.close(1000);
  });

  it('reports a position past a transaction marker, where no record to handle ends the partition', async () => {
    const { kafkaBrokers } = await sharedInfra();
    const topic = freshName('tx-tail');
    service = new KafkaService({ brokers: [kafkaBrokers], clientId: topic, registry: new Registry(), logger: pino({ level: 'silent' }) });
    await service.ensureTopics([{ topic, partitions: 1 }]);
    // A transactional producer (as kcat or Kafka Connect may be) ends the partition with its commit marker.
    const producer = new Kafka({ brokers: [kafkaBrokers], clientId: topic, logLevel: logLevel.NOTHING }).producer({ transactionalId: topic, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const transaction = await producer.transaction();
    await transaction.send({ topic, messages: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }] });
    await transaction.commit();
    await producer.disconnect();
    // The coordinator writes the marker after the commit returns; until then the transaction is open.
    const kafka = service;
    const end = await waitFor('the commit marker', async () => ((await kafka.endOffsets(topic)).get(0) === 3n ? 3n : undefined), { timeoutMs: 30_000, intervalMs: 200 });

    let handledUpTo = 0n;
    let position = 0n;
    const consumer = service.createConsumer({
      name: 'positions',
      groupId: topic,
      topics: [topic],
      rewindOnStart: true,
      handle: (records) => Promise.resolve(records.forEach((r) => (handledUpTo = BigInt(r.offset) + 1n))),
      onPosition: (_partition, next) => (position = next > position ? next : position),
    });
    await consumer.start();
    await waitFor('the position at the end offset', () => position === end, { timeoutMs: 30_000 });
    // The records themselves end one offset earlier: only the position says the partition was read.
    expect(handledUpTo).toBe(2n);
  });
});
