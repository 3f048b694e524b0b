import { setTimeout as sleep } from 'node:timers/promises';
import { type BatchingProducer, type OutgoingRecord } from '@fieldlink/kafka';
import { type Logger } from '@fieldlink/service';
import { CoreError, CoreErrorCode } from '../errors';
import { DirectSends } from './direct-sends';
import { type RecordSink, type SinkState } from './record-sink';
import { SegmentLog } from './segment-log';
import { fitToVolume } from './spool-capacity';
import { type SpoolMetrics } from './spool.metrics';
import { type SpoolOptions } from './spool.options';
import { sendSpooled } from './spool-replay';
import { encodeSpooled, spoolKey } from './spooled-record';
import { Turns } from './turns';

const REPLAY_BATCH = 1000;
const WATCH_INTERVAL_MS = 200;
const DISK_FULL_RECHECK_MS = 1000;

/**
 * Sends records straight to Kafka while it keeps up. When Kafka fails or falls behind, new
 * records go to the durable spool instead (fsynced before the caller is told they are safe),
 * and they keep going there until the spool has been replayed to Kafka, oldest first. Replay
 * waits for the records already handed to Kafka, so each device's records stay in order, and
 * a replayed record is the same envelope with the same id.
 */
export class SpoolingSink implements RecordSink {
  private spooling: boolean;
  private appending = 0;
  private draining: Promise<void> | undefined;
  private stopped = false;
  private spaceWaiters: (() => void)[] = [];
  private noRoom = false;
  private readonly direct: DirectSends;
  private watch: NodeJS.Timeout | undefined;
  private readonly admission = new Turns();
  /** Bytes admitted to the spool but not yet on disk. */
  private reserved = 0;
  /**
   * Records moved to the spool whose producer copy reached Kafka after all (see switchToSpool).
   * Replay skips them instead of sending a second copy; after a crash they are sent again.
   */
  private readonly landedAfterMove = new Set<string>();
  /** Replay and drop-oldest both consume from the front of the log; they take turns. */
  private readonly front = new Turns();

  /**
   * Builds the dead-letter record for a spooled entry that is corrupt on disk; replay sends it in
   * the entry's place. Without it such an entry is only logged and counted.
   */
  quarantine: ((raw: Buffer, reason: string) => OutgoingRecord) | undefined;

  private constructor(
    private readonly producer: Pick<BatchingProducer, 'send' | 'healthy' | 'pending' | 'oldestWaitMs'>,
    private readonly log: SegmentLog,
    private readonly options: SpoolOptions,
    private readonly logger: Logger,
    /** options.maxBytes, or less when the volume cannot hold that much. */
    readonly maxBytes: number,
  ) {
    this.spooling = log.depth > 0;
    this.direct = new DirectSends(
      producer,
      (record) => this.spool(record),
      (record) => this.landedAfterMove.add(spoolKey(record.topic, record.value.toString())),
    );
  }

  static async open(producer: Pick<BatchingProducer, 'send' | 'healthy' | 'pending' | 'oldestWaitMs'>, options: SpoolOptions, logger: Logger): Promise<SpoolingSink> {
    const capacity = await fitToVolume(options.dir, options);
    if (capacity.maxBytes < options.maxBytes) {
      logger.warn(
        { dir: options.dir, configuredMaxBytes: options.maxBytes, volumeRoomBytes: capacity.roomBytes, maxBytes: capacity.maxBytes },
        'spool.maxBytes is more than the spool volume can hold; applying a lower limit, so the overflow policy applies before the disk is full',
      );
    }
    const log = await SegmentLog.open({ dir: options.dir, segmentBytes: capacity.segmentBytes });
    if (log.depth > 0) logger.info({ records: log.depth, dir: options.dir }, 'spool holds records from an earlier run; replaying them to Kafka');
    if (log.corruptOnOpen > 0) logger.error({ segments: log.corruptOnOpen, dir: options.dir }, 'spool segments were corrupt past some point; the rest of each is lost');
    return new SpoolingSink(producer, log, options, logger, capacity.maxBytes);
  }

  metrics: SpoolMetrics | undefined;

  get depth(): number {
    return this.log.depth;
  }

  get bytes(): number {
    return this.log.bytes;
  }

  get oldestAgeSeconds(): number {
    const oldest = this.log.oldestWrittenAt;
    return oldest === undefined ? 0 : (Date.now() - oldest) / 1000;
  }

  /** Holds maxBytes, its disk is full, or it has just had to turn a record away (block, drop or reject) and freed nothing since. */
  get full(): boolean {
    return this.noRoom || this.log.diskFull || this.log.bytes >= this.maxBytes;
  }

  get diskFull(): boolean {
    return this.log.diskFull;
  }

  get state(): SinkState {
    if (this.full) return 'full';
    return this.spooling ? 'spooling' : 'accepting';
  }

  /** Starts replaying what an earlier run left behind. */
  start(): void {
    if (this.log.corruptOnOpen > 0) this.metrics?.dropped.inc({ reason: 'corrupt' }, this.log.corruptOnOpen);
    this.watch = setInterval(() => {
      if (this.direct.size === 0 || !this.kafkaFailing()) return;
      if (!this.spooling) this.switchToSpool();
      else this.direct.moveToSpool();
    }, WATCH_INTERVAL_MS);
    this.watch.unref();
    this.kickDrain();
  }

  send(record: OutgoingRecord): Promise<void> {
    if (!this.spooling && (this.kafkaFailing() || this.kafkaBehind())) this.switchToSpool();
    if (this.spooling) return this.spool(record);
    return this.direct.send(record);
  }

  /**
   * From now on records go to the spool, starting with the records still waiting in the
   * producer, in send order: spooled after newer records, they would be replayed after them
   * when Kafka then fails and the gateway stops (one device's order broken). And MQTT
   * acknowledges in arrival order [MQTT-4.6.0-2], so one record stuck there would hold back
   * every acknowledgement behind it. The producer keeps sending its copies; those that reach
   * Kafka are skipped by the replay (or, after a crash, sent again with the same ids).
   */
  private switchToSpool(): void {
    this.spooling = true;
    this.logger.warn({ kafkaHealthy: this.producer.healthy, waiting: this.producer.pending, oldestWaitMs: this.producer.oldestWaitMs }, 'Kafka is down or behind; spooling to disk');
    this.direct.moveToSpool();
  }

  /**
   * Kafka takes records slower than they come: the oldest has waited highWaterMs. What the producer
   * achieves decides, not how many records are in flight; the record count only bounds memory.
   */
  private kafkaBehind(): boolean {
    return this.producer.oldestWaitMs >= this.options.highWaterMs || this.producer.pending >= this.options.highWaterRecords;
  }

  /** A send failed, or a record has waited stallMs: a silent path never fails a send at all. */
  private kafkaFailing(): boolean {
    return !this.producer.healthy || this.producer.oldestWaitMs >= this.options.stallMs;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.watch);
    this.wakeSpaceWaiters();
    await this.draining?.catch(() => undefined);
    await this.log.close();
  }

  private async spool(record: OutgoingRecord): Promise<void> {
    const payload = encodeSpooled(record);
    this.appending++;
    try {
      // Records take turns, so one blocked on a full spool is not overtaken by a later one.
      let written: Promise<void> | undefined;
      await this.admission.take(async () => {
        if (!(await this.waitForSpace(payload.length, record))) return;
        this.reserved += payload.length;
        written = this.log.append([payload]);
      });
      if (!written) return;
      try {
        await written;
      } finally {
        this.reserved -= payload.length;
        this.wakeSpaceWaiters();
      }
      this.metrics?.spooled.inc();
    } finally {
      this.appending--;
    }
    this.kickDrain();
  }

  /** False when the record is dropped (overflow: drop-newest); throws FL_SINK_FULL for overflow: reject. */
  private async waitForSpace(bytes: number, record: OutgoingRecord): Promise<boolean> {
    while (this.log.diskFull || this.log.bytes + this.reserved + bytes > this.maxBytes) {
      if (this.stopped) throw new Error('spool stopped before the record was written');
      if (this.log.diskFull && !this.noRoom) {
        this.logger.warn({ dir: this.options.dir, bytes: this.log.bytes }, 'spool volume is full before spool.maxBytes; applying the overflow policy until replay frees a segment');
      }
      this.noRoom = true;
      if (this.options.overflow === 'drop-newest') {
        this.metrics?.dropped.inc({ reason: 'overflow' });
        this.logger.warn({ topic: record.topic, key: record.key }, 'spool full; dropping the newest record (overflow: drop-newest)');
        return false;
      }
      // On a full disk the space a drop frees shows only once the write waiting for it succeeds.
      if (this.options.overflow === 'drop-oldest' && (await this.dropOldest(bytes)) > 0 && !this.log.diskFull) continue;
      if (this.options.overflow === 'reject') throw new CoreError(CoreErrorCode.SinkFull, 'spool full; the device should retry later (overflow: reject)', true);
      // overflow: block, or drop-oldest with nothing on disk yet to drop. The caller is not told
      // the record is safe, so the device is not acknowledged. A full disk is looked at again
      // every second: nothing here hears when its write goes through.
      await new Promise<void>((wake) => {
        this.spaceWaiters.push(wake);
        if (!this.log.diskFull) return;
        setTimeout(() => {
          this.spaceWaiters = this.spaceWaiters.filter((w) => w !== wake);
          wake();
        }, DISK_FULL_RECHECK_MS).unref();
      });
    }
    if (this.stopped) throw new Error('spool stopped before the record was written');
    return true;
  }

  /** Drops the oldest spooled records that keep `bytes` more from fitting; returns how many. */
  private dropOldest(bytes: number): Promise<number> {
    return this.front.take(async () => {
      // Disk space comes back a segment at a time.
      const excess = this.log.diskFull ? this.log.segmentBytes : this.log.bytes + this.reserved + bytes - this.maxBytes;
      const count = this.log.oldestCovering(excess);
      if (count === 0) return 0;
      const oldest = this.log.oldestWrittenAt ?? Date.now();
      await this.log.consume(count);
      this.noRoom = false;
      this.metrics?.dropped.inc({ reason: 'overflow' }, count);
      this.logger.warn({ dropped: count, oldestWrittenAt: new Date(oldest).toISOString() }, 'spool full; dropped the oldest records (overflow: drop-oldest)');
      return count;
    });
  }

  private wakeSpaceWaiters(): void {
    this.spaceWaiters.splice(0).forEach((wake) => wake());
  }

  private kickDrain(): void {
    if (this.draining || this.stopped) return;
    this.draining = this.drain()
      .catch((err: unknown) => this.logger.error({ err }, 'spool replay failed; retrying'))
      .finally(() => {
        this.draining = undefined;
        if (!this.stopped && (this.log.depth > 0 || this.appending > 0)) setTimeout(() => this.kickDrain(), 200).unref();
      });
  }

  private async drain(): Promise<void> {
    while (!this.stopped && this.log.depth > 0) {
      if (!this.producer.healthy || this.producer.pending > 0) {
        await sleep(100);
        continue;
      }
      if (!(await this.front.take(() => this.replayBatch()))) return;
      this.wakeSpaceWaiters();
    }
    if (!this.stopped && this.log.depth === 0 && this.appending === 0 && this.spooling) {
      this.spooling = false;
      // Keys of moved records that were dropped or expired instead of replayed: none is in the spool now.
      this.landedAfterMove.clear();
      this.logger.info('spool replayed; sending straight to Kafka again');
    }
  }

  /** Sends the oldest spooled records to Kafka and consumes them; false if Kafka failed them. */
  private async replayBatch(): Promise<boolean> {
    const entries = await this.log.peek(REPLAY_BATCH);
    const expiredBefore = Date.now() - this.options.maxAgeMs;
    const { sends, landed, corrupt, expired } = sendSpooled(entries, expiredBefore, this.landedAfterMove, (record) => this.producer.send(record), this.quarantine);
    const results = await Promise.allSettled([...sends, ...corrupt.map((c) => c.sent)]);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    // A retryable failure means the producer stopped; the records stay spooled for the next run.
    if (failed.some((r) => (r.reason as { retryable?: boolean }).retryable !== false)) return false;
    const letterFailed = await Promise.all(corrupt.map((c) => c.sent.then(() => false, () => true)));
    const recordsFailed = failed.length - letterFailed.filter(Boolean).length;
    for (const r of failed) this.logger.error({ err: r.reason as unknown }, 'Kafka rejected a spooled record');
    if (recordsFailed > 0) this.metrics?.dropped.inc({ reason: 'rejected' }, recordsFailed);
    await this.log.consume(entries.length);
    this.noRoom = false;
    for (const key of landed) this.landedAfterMove.delete(key);
    this.metrics?.replayed.inc(sends.length - recordsFailed);
    if (corrupt.length > 0) {
      this.metrics?.dropped.inc({ reason: 'corrupt' }, corrupt.length);
      corrupt.forEach(({ raw, reason }, i) => {
        // Its bytes are in the dead letter, unless there is none or Kafka refused it.
        const keep = !this.quarantine || letterFailed[i] ? { raw: raw.toString('base64') } : { bytes: raw.length };
        this.logger.error({ reason, dir: this.options.dir, ...keep }, 'a spooled record is corrupt on disk; set it aside and went on');
      });
    }
    if (expired.length > 0) {
      // Counted only once consumed: a batch that Kafka fails is peeked again.
      this.metrics?.dropped.inc({ reason: 'expired' }, expired.length);
      this.logger.warn({ dropped: expired.length, oldestWrittenAt: new Date(expired[0]?.writtenAt ?? 0).toISOString() }, 'spooled records older than spool.maxAgeMs; dropped them');
    }
    return true;
  }
}
