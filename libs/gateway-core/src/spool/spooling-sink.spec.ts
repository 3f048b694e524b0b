import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OutgoingRecord } from '@fieldlink/kafka';
import { waitFor } from '@fieldlink/testing';
import pino from 'pino';
import { Registry } from 'prom-client';
import { type SpoolOptions } from './spool.options';
import { SpoolingSink } from './spooling-sink';
import { SpoolMetrics } from './spool.metrics';

/**
 * A producer fake. While Kafka is `down` it holds sends, as the real producer retries them;
 * like the real one it reports `healthy` false only once a send has failed, which a silent
 * path (`stall`) never does.
 */
class FakeProducer {
  healthy = true;
  down = false;
  delivered: string[] = [];
  private held: { record: OutgoingRecord; heldAt: number; resolve: () => void }[] = [];
  get pending(): number {
    return this.held.length;
  }
  get oldestWaitMs(): number {
    const oldest = this.held[0];
    return oldest ? Date.now() - oldest.heldAt : 0;
  }
  fail(): void {
    this.down = true;
    this.healthy = false;
  }
  stall(): void {
    this.down = true;
  }
  send(record: OutgoingRecord): Promise<void> {
    if (!this.down) {
      this.delivered.push(String(record.value));
      return Promise.resolve();
    }
    return new Promise((resolve) => this.held.push({ record, heldAt: Date.now(), resolve }));
  }
  recover(): void {
    this.down = false;
    this.healthy = true;
    for (const { record, resolve } of this.held.splice(0)) {
      this.delivered.push(String(record.value));
      resolve();
    }
  }
}

const record = (value: string): OutgoingRecord => ({ topic: 'fieldlink.telemetry', key: 'dev-1', value });
const logger = pino({ level: 'silent' });

const opened: SpoolingSink[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.stop()));
});

async function open(producer: FakeProducer, over: Partial<SpoolOptions> = {}, dir = mkdtempSync(join(tmpdir(), 'sink-'))) {
  const options: SpoolOptions = { dir, maxBytes: 1 << 20, maxAgeMs: 60_000, segmentBytes: 1 << 16, highWaterMs: 60_000, highWaterRecords: 100, stallMs: 60_000, overflow: 'block', ...over };
  const sink = await SpoolingSink.open(producer, options, logger);
  const registry = new Registry();
  sink.metrics = new SpoolMetrics(registry, { depth: () => sink.depth, bytes: () => sink.bytes, oldestAgeSeconds: () => sink.oldestAgeSeconds, maxBytes: () => sink.maxBytes });
  sink.start();
  opened.push(sink);
  return { sink, dir, registry };
}

describe(SpoolingSink.name, () => {
  it('sends straight to Kafka while it is healthy', async () => {
    const producer = new FakeProducer();
    const { sink } = await open(producer);
    await sink.send(record('a'));
    expect(producer.delivered).toEqual(['a']);
    expect(sink.depth).toBe(0);
  });

  it('spools while Kafka is down, moving records stuck in the producer to disk too, then replays in order and goes direct again', async () => {
    const producer = new FakeProducer();
    const { sink } = await open(producer);
    producer.down = true;
    const stuck = sink.send(record('stuck-in-producer'));
    producer.fail();
    await Promise.all(['s1', 's2', 's3'].map((v) => sink.send(record(v))));
    // resolved by the spool, while Kafka is still down
    await stuck;
    expect(sink.depth).toBe(4);
    producer.recover();
    await waitFor('spool replayed', () => sink.depth === 0, { timeoutMs: 5000 });
    await sink.send(record('after'));
    // 'after' may still be spooled if the replay had not switched back yet; either way it comes next
    await waitFor('after delivered', () => producer.delivered.includes('after'), { timeoutMs: 5000 });
    // the producer's own retry lands first, so the replay skips the spooled copy
    expect(producer.delivered).toEqual(['stuck-in-producer', 's1', 's2', 's3', 'after']);
  });

  it('when Kafka is merely behind, spools the records the producer holds ahead of the new ones, and sends nothing twice', async () => {
    const producer = new FakeProducer();
    const { sink } = await open(producer, { highWaterRecords: 2 });
    producer.down = true; // slow, not failing: healthy stays true
    const direct = ['a', 'b'].map((v) => sink.send(record(v)));
    await sink.send(record('c'));
    await Promise.all(direct);
    expect(sink.depth).toBe(3);
    producer.recover();
    await waitFor('replayed', () => sink.depth === 0, { timeoutMs: 5000 });
    // The producer's own copies of a and b landed, so the replay sent only c.
    expect(producer.delivered).toEqual(['a', 'b', 'c']);
  });

  it('spools once the oldest record has waited highWaterMs, however few are waiting, and not while Kafka takes them in time', async () => {
    const producer = new FakeProducer();
    const { sink } = await open(producer, { highWaterMs: 300, highWaterRecords: 1000 });
    for (let i = 0; i < 500; i++) await sink.send(record(`fast-${i}`));
    expect(sink.depth).toBe(0);
    producer.down = true; // slow, not failing
    const direct = ['slow', 'still-direct'].map((v) => sink.send(record(v)));
    expect(producer.pending).toBe(2);
    await waitFor('the oldest to have waited highWaterMs', () => producer.oldestWaitMs >= 300, { timeoutMs: 5000 });
    expect(sink.depth).toBe(0);
    await sink.send(record('spooled'));
    await Promise.all(direct);
    expect(sink.depth).toBe(3);
    producer.recover();
    await waitFor('replayed', () => sink.depth === 0, { timeoutMs: 5000 });
    expect(producer.delivered.slice(500)).toEqual(['slow', 'still-direct', 'spooled']);
  });

  it('keeps send order in the spool when Kafka fails after spooling began because it was behind, so a restart replays oldest first', async () => {
    const producer = new FakeProducer();
    const { sink, dir } = await open(producer, { highWaterRecords: 2 });
    producer.down = true;
    const direct = ['a', 'b'].map((v) => sink.send(record(v)));
    await sink.send(record('c'));
    producer.fail();
    await sink.send(record('d'));
    await Promise.all(direct);
    // SIGTERM now: the producer's copies never reach Kafka, and the next run replays the spool.
    await sink.stop();
    const next = new FakeProducer();
    await open(next, {}, dir);
    await waitFor('replayed after restart', () => next.delivered.length === 4, { timeoutMs: 5000 });
    expect(next.delivered).toEqual(['a', 'b', 'c', 'd']);
  });

  it('spools a record that waited stallMs, and the ones behind it, though no send has failed', async () => {
    const producer = new FakeProducer();
    const { sink } = await open(producer, { stallMs: 300 });
    producer.stall(); // a black-holed path: sends hang, none fails, healthy stays true
    let safe = false;
    const stuck = sink.send(record('stuck')).then(() => (safe = true));
    await waitFor('the stalled record to be spooled', () => sink.depth === 1, { timeoutMs: 5000 });
    await stuck;
    expect({ safe, healthy: producer.healthy }).toEqual({ safe: true, healthy: true });
    await sink.send(record('next'));
    expect(sink.depth).toBe(2);
    producer.recover();
    await waitFor('replayed', () => sink.depth === 0, { timeoutMs: 5000 });
    // the producer's own copy of 'stuck' landed, so the replay sent only 'next'
    expect(producer.delivered).toEqual(['stuck', 'next']);
  });

  it('keeps spooled records across a restart and replays them with the same content', async () => {
    const down = new FakeProducer();
    down.fail();
    const { sink, dir } = await open(down);
    await Promise.all(['x', 'y'].map((v) => sink.send(record(v))));
    await sink.stop();
    const up = new FakeProducer();
    await open(up, {}, dir);
    await waitFor('replayed after restart', () => up.delivered.length === 2, { timeoutMs: 5000 });
    expect(up.delivered).toEqual(['x', 'y']);
  });

  it('blocks when full (overflow: block) and resolves once replay frees space, in order', async () => {
    const producer = new FakeProducer();
    producer.fail();
    const { sink } = await open(producer, { maxBytes: 200 });
    const settled: string[] = [];
    const sends = ['r1', 'r2', 'r3', 'r4', 'r5'].map((v) => sink.send(record(v)).then(() => settled.push(v)));
    await waitFor('spool full', () => sink.full, { timeoutMs: 5000 });
    expect(settled.length).toBeLessThan(5);
    producer.recover();
    await Promise.all(sends);
    await waitFor('all replayed', () => sink.depth === 0, { timeoutMs: 5000 });
    expect(producer.delivered).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    expect(settled).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
  });

  // Each of these records takes a 65-byte frame (16 bytes of header, 49 of JSON), so 3 fit in 200 bytes.
  const FIVE = ['r1', 'r2', 'r3', 'r4', 'r5'];
  const SMALL = { maxBytes: 200 };

  it('drops and counts the newest records when full (overflow: drop-newest)', async () => {
    const producer = new FakeProducer();
    producer.fail();
    const { sink, registry } = await open(producer, { ...SMALL, overflow: 'drop-newest' });
    for (const v of FIVE) await sink.send(record(v));
    expect(sink.depth).toBe(3);
    expect(await dropped(registry, 'overflow')).toBe(2);
    producer.recover();
    await waitFor('replayed', () => sink.depth === 0, { timeoutMs: 5000 });
    expect(producer.delivered).toEqual(['r1', 'r2', 'r3']);
  });

  it('refuses a record with FL_SINK_FULL when full (overflow: reject), keeps what it holds, and reports its state', async () => {
    const producer = new FakeProducer();
    expect((await open(new FakeProducer())).sink.state).toBe('accepting');
    producer.fail();
    const { sink } = await open(producer, { ...SMALL, overflow: 'reject' });
    const outcomes: string[] = [];
    for (const v of FIVE) outcomes.push(await sink.send(record(v)).then(() => 'safe', (e: unknown) => (e as { code?: string }).code ?? String(e)));
    expect(outcomes).toEqual(['safe', 'safe', 'safe', 'FL_SINK_FULL', 'FL_SINK_FULL']);
    expect(sink.state).toBe('full');
    producer.recover();
    await waitFor('replayed', () => sink.depth === 0, { timeoutMs: 5000 });
    expect(producer.delivered).toEqual(['r1', 'r2', 'r3']);
    await waitFor('accepting again', () => sink.state === 'accepting', { timeoutMs: 5000 });
  });

  it('drops and counts the oldest records when full (overflow: drop-oldest), and keeps the newest in order', async () => {
    const producer = new FakeProducer();
    producer.fail();
    const { sink, registry } = await open(producer, { ...SMALL, overflow: 'drop-oldest' });
    for (const v of FIVE) await sink.send(record(v));
    expect(sink.depth).toBe(3);
    expect(await dropped(registry, 'overflow')).toBe(2);
    producer.recover();
    await waitFor('replayed', () => sink.depth === 0, { timeoutMs: 5000 });
    expect(producer.delivered).toEqual(['r3', 'r4', 'r5']);
  });

  it('drops and counts records older than maxAgeMs at replay', async () => {
    const producer = new FakeProducer();
    producer.fail();
    const { sink, registry } = await open(producer, { maxAgeMs: 1000 });
    for (const v of ['old1', 'old2']) await sink.send(record(v));
    await waitFor('records expired', () => sink.oldestAgeSeconds > 1, { timeoutMs: 5000 });
    await sink.send(record('fresh'));
    producer.recover();
    // The log's depth reaches 0 while consume() finishes its file work, just before the drops are counted.
    await waitFor('replayed and the expired counted', async () => sink.depth === 0 && (await dropped(registry, 'expired')) !== undefined, { timeoutMs: 5000 });
    expect(producer.delivered).toEqual(['fresh']);
    expect(await dropped(registry, 'expired')).toBe(2);
  });
});

async function dropped(registry: Registry, reason: string): Promise<number | undefined> {
  const metric = await registry.getSingleMetric('fieldlink_spool_dropped_total')?.get();
  return metric?.values.find((v) => v.labels['reason'] === reason)?.value;
}
