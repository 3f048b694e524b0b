import { setTimeout as sleep } from 'node:timers/promises';
import { CompressionTypes, type Kafka, type Producer, type TopicMessages } from 'kafkajs';
import { Backoff } from '@fieldlink/resilience';
import { KafkaError, KafkaErrorCode, describe, permanentErrorType, producerStateErrorType } from './errors';
import { createIdempotentProducer } from './idempotent-producer';
import { type KafkaMetrics } from './kafka.metrics';
import { type KafkaLogger, PRODUCER_DEFAULTS, type ProducerOptions } from './kafka.options';
import { batchLength, messagesByTopic, type OutgoingRecord } from './outgoing-record';
import { type IsolationSteps, isolate } from './refusal-isolation';

interface Pending {
  record: OutgoingRecord;
  queuedAt: number;
  resolve: () => void;
  reject: (error: KafkaError) => void;
}

/**
 * An idempotent, acks=all producer that batches records and never gives up on
 * a record silently.
 *
 * kafkajs rejects a send once its retries are exhausted, and a caller that does
 * not look loses the records (kafkajs#628). Here one request is in flight at a
 * time (which also keeps per-key order across retries) and a batch that fails
 * for a transient reason is retried, with backoff, until it succeeds or the
 * producer is stopped. Only a permanent broker answer (e.g. MESSAGE_TOO_LARGE)
 * rejects a record, and then only that record: the batch is split to find it.
 * A batch stays under maxBatchBytes, so the broker never refuses it for its size.
 * Every caller gets a promise that settles exactly once.
 */
export class BatchingProducer {
  private readonly options: Required<ProducerOptions>;
  private producer: Producer;
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private connected = false;
  private closed = false;
  private failingSince: number | undefined;
  private lastDeliveryAt = Date.now();
  /** Fails the request in flight, if any, when the producer is replaced under it. */
  private abandon: (() => void) | undefined;
  private readonly isolation: IsolationSteps<Pending> = {
    send: (batch) => this.sendBatch(batch),
    answered: () => this.answered(),
    delivered: (batch) => this.delivered(batch),
    refused: (only, type, error) => {
      this.settle(1);
      this.metrics.rejected.inc({ topic: only.record.topic, reason: type });
      only.reject(new KafkaError(KafkaErrorCode.Rejected, `Kafka rejected the record: ${type}`, false, { cause: error }));
    },
  };

  constructor(
    private readonly kafka: Kafka,
    private readonly metrics: KafkaMetrics,
    private readonly logger: KafkaLogger,
    options: ProducerOptions = {},
  ) {
    this.options = { ...PRODUCER_DEFAULTS, ...options };
    this.producer = createIdempotentProducer(this.kafka);
    metrics.watchPending(() => this.queue.length);
  }

  /** Resolves once Kafka has acknowledged the record (acks=all). */
  send(record: OutgoingRecord): Promise<void> {
    if (this.closed) {
      return Promise.reject(new KafkaError(KafkaErrorCode.Closed, 'producer is closed', true));
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ record, queuedAt: Date.now(), resolve, reject });
      this.kick();
    });
  }

  /**
   * Starts the flush loop unless one runs. A record queued by a caller woken by
   * the loop's last batch lands after the loop's final check, so the loop is
   * kicked again once it has finished.
   */
  private kick(): void {
    if (this.flushing || this.queue.length === 0) return;
    this.flushing = this.flushLoop().finally(() => {
      this.flushing = undefined;
      if (!this.closed) this.kick();
    });
  }

  /** Records waiting for Kafka to acknowledge them. */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * How long the oldest record has waited for Kafka (0 when none waits). kafkajs retries a
   * failing request inside one send, so a silent path shows here long before any error does.
   */
  get oldestWaitMs(): number {
    const oldest = this.queue[0];
    return oldest ? Date.now() - oldest.queuedAt : 0;
  }

  /** True while the last request to Kafka succeeded (or none was needed). */
  get healthy(): boolean {
    return this.failingSince === undefined;
  }

  /** Connected, and the last request (if any) succeeded. */
  get connectedToKafka(): boolean {
    return this.connected && this.healthy;
  }

  /** When Kafka last acknowledged a request of ours (the start time before the first). */
  get lastDelivery(): number {
    return this.lastDeliveryAt;
  }

  /**
   * Waits up to `timeoutMs` for queued records to reach Kafka, then rejects the
   * rest as unavailable (retryable: the device was not acknowledged) and disconnects.
   */
  async close(timeoutMs: number): Promise<void> {
    this.closed = true;
    const deadline = sleep(timeoutMs).then(() => 'timeout' as const);
    if (this.flushing) await Promise.race([this.flushing, deadline]);
    this.failAll(new KafkaError(KafkaErrorCode.Unavailable, 'producer stopped before Kafka took the record', true));
    if (this.connected) await this.producer.disconnect().catch(() => undefined);
  }

  private async flushLoop(): Promise<void> {
    const backoff = new Backoff({ initialMs: 100, maxMs: this.options.maxBackoffMs });
    while (this.queue.length > 0) {
      const batch = this.nextBatch();
      try {
        await this.sendBatch(batch);
        this.delivered(batch);
        backoff.reset();
      } catch (error) {
        const permanent = permanentErrorType(error);
        if (permanent !== undefined) {
          await isolate(batch, permanent, error, this.isolation);
          continue;
        }
        const stateError = producerStateErrorType(error);
        if (stateError !== undefined) await this.replaceProducer(stateError);
        this.metrics.sendFailures.inc();
        this.failingSince ??= Date.now();
        if (this.closed) return; // close() fails what is left
        const retryInMs = backoff.next();
        this.logger.warn({ err: describe(error), records: this.queue.length, retryInMs }, 'Kafka send failed; retrying');
        await sleep(retryInMs);
      }
    }
  }

  /** The oldest records, as many as one request may carry (see batchLength). */
  private nextBatch(): Pending[] {
    return this.queue.slice(0, batchLength(this.queue, this.options));
  }

  /**
   * The broker and our idempotent producer no longer agree on sequence numbers. A black-holed
   * path does this: a batch lands, its answer is lost, and the next attempt carries more
   * records behind the same first sequence number, which the broker refuses every time after.
   * Only a new producer id clears it (the Java client bumps the epoch). The batch is then sent
   * again, so its records that had landed arrive twice, with the same ids.
   */
  private async replaceProducer(reason: string): Promise<void> {
    this.logger.warn({ reason }, 'Kafka lost track of our idempotent producer; starting a new one (records that had landed may arrive twice, with the same ids)');
    await this.rebuild();
  }

  /**
   * Starts over with a new kafkajs producer (new connections, new producer id). A request still
   * in flight on the old one is abandoned and its batch sent again, so records that had landed
   * arrive twice, with the same ids.
   */
  async rebuild(): Promise<void> {
    const old = this.producer;
    this.producer = createIdempotentProducer(this.kafka);
    this.connected = false;
    this.abandon?.();
    await Promise.race([old.disconnect().catch(() => undefined), sleep(5000)]);
  }

  private async sendBatch(batch: Pending[]): Promise<void> {
    const producer = this.producer;
    const replaced = new Promise<never>((_, reject) => (this.abandon = () => reject(new Error('producer replaced while the request was in flight'))));
    replaced.catch(() => undefined);
    if (!this.connected) {
      await Promise.race([producer.connect(), replaced]);
      this.connected = true;
    }
    const byTopic = messagesByTopic(batch);
    const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    const timer = this.metrics.sendSeconds.startTimer();
    const sent = producer.sendBatch({
      topicMessages,
      acks: -1,
      compression: this.options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
    });
    sent.catch(() => undefined);
    await Promise.race([sent, replaced]);
    timer();
    this.metrics.batchRecords.observe(batch.length);
    for (const [topic, messages] of byTopic) this.metrics.produced.inc({ topic }, messages.length);
    this.lastDeliveryAt = Date.now();
    this.answered();
  }

  /**
   * Kafka answered a request: it is back, whichever path sent it, even if the answer refused a
   * record for good. Health must not wait for a later success: once every waiting record has
   * been answered there is none, and the spool, which replays only to a healthy producer,
   * would wait for ever (issue 10).
   */
  private answered(): void {
    if (this.failingSince === undefined) return;
    this.logger.info({ downMs: Date.now() - this.failingSince }, 'Kafka is accepting records again');
    this.failingSince = undefined;
  }

  private delivered(batch: Pending[]): void {
    this.settle(batch.length);
    batch.forEach((p) => p.resolve());
  }

  /** Removes the first `count` records from the queue once they are settled. */
  private settle(count: number): void {
    // close() may already have failed and removed them.
    this.queue.splice(0, count);
  }

  private failAll(error: KafkaError): void {
    const rest = this.queue;
    this.queue = [];
    rest.forEach((p) => p.reject(error));
  }
}
