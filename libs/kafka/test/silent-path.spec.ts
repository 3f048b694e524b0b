import { LocalService, StallingRelay, freePort, freshName, readTopic, waitFor } from '@fieldlink/testing';
import pino from 'pino';
import { Registry } from 'prom-client';
import { KafkaService } from '../src/kafka.service';

const REQUEST_TIMEOUT_MS = 3000;

/** A step that must finish within `ms`, so a hang names itself instead of hitting Jest's timeout. */
async function within<T>(ms: number, what: string, step: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)));
  try {
    return await Promise.race([step, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

describe('a Kafka connection that silently stops answering', () => {
  let kafka: LocalService | undefined;
  let relay: StallingRelay | undefined;
  let service: KafkaService | undefined;
  afterEach(async () => {
    await service?.close(1000);
    await relay?.dispose();
    await kafka?.dispose();
  });

  // kafkajs on its own retries a timed-out request on the same socket, without end (kafkajs#919).
  it('is closed once a request on it times out, and the producer delivers over a new one', async () => {
    const port = await freePort();
    const path = (relay = await StallingRelay.start(port));
    // Kafka tells clients to connect through the relay, so every connection can be stalled.
    kafka = await within(60_000, 'Kafka to start', LocalService.kafka({ port, advertisedPort: path.port }));
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
    const topic = freshName('silent');
    service = new KafkaService({ brokers: [path.address], clientId: topic, registry: new Registry(), logger, requestTimeoutMs: REQUEST_TIMEOUT_MS });
    await within(20_000, 'the topic', service.ensureTopics([{ topic, partitions: 1 }]));
    await within(20_000, 'the first record', service.producer.send({ topic, key: 'k', value: 'before' }));

    expect(path.stall()).toBeGreaterThan(0);
    let delivered = false;
    const during = service.producer.send({ topic, key: 'k', value: 'during' }).then(() => (delivered = true));
    await waitFor('the record sent on a stalled connection to be delivered', () => delivered, { timeoutMs: 10 * REQUEST_TIMEOUT_MS, intervalMs: 100 });
    await during;
    expect(warnings.some((w) => w.includes('Kafka request timed out; closing the connection'))).toBe(true);
    await within(20_000, 'the last record', service.producer.send({ topic, key: 'k', value: 'after' }));
    expect((await readTopic(`127.0.0.1:${port}`, topic)).map((r) => r.payload)).toEqual(['before', 'during', 'after']);
  });
});
