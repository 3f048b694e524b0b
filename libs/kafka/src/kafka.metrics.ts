import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Prometheus metrics of the Kafka clients, registered on the service's registry. */
export class KafkaMetrics {
  readonly produced: Counter<'topic'>;
  readonly rejected: Counter<'topic' | 'reason'>;
  readonly sendFailures: Counter;
  readonly batchRecords: Histogram;
  readonly sendSeconds: Histogram;
  readonly consumed: Counter<'topic'>;
  readonly committed: Counter<'topic'>;
  readonly consumerRestarts: Counter<'client' | 'reason'>;
  readonly watchdogRebuilds: Counter;
  readonly watchdogLivenessFailures: Counter;
  private readonly connectedProbes = new Map<string, () => boolean>();
  private lastDelivery: () => number = () => Date.now();
  private pending: () => number = () => 0;

  constructor(registry: Registry) {
    const registers = [registry];
    this.produced = new Counter({
      name: 'fieldlink_kafka_produced_total',
      help: 'Records Kafka acknowledged',
      labelNames: ['topic'],
      registers,
    });
    this.rejected = new Counter({
      name: 'fieldlink_kafka_rejected_total',
      help: 'Records Kafka refused for good',
      labelNames: ['topic', 'reason'],
      registers,
    });
    this.sendFailures = new Counter({
      name: 'fieldlink_kafka_send_failures_total',
      help: 'Produce requests that failed and were retried',
      registers,
    });
    this.batchRecords = new Histogram({
      name: 'fieldlink_kafka_batch_records',
      help: 'Records per produce request',
      buckets: [1, 10, 100, 500, 1000, 2500, 5000],
      registers,
    });
    this.sendSeconds = new Histogram({
      name: 'fieldlink_kafka_send_seconds',
      help: 'Time for Kafka to acknowledge one produce request',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    const pending = () => this.pending();
    // Read when scraped: a gauge bumped per record cost the hot path a label hash each time.
    new Gauge({
      name: 'fieldlink_kafka_pending_records',
      help: 'Records waiting for Kafka',
      registers,
      collect() {
        this.set(pending());
      },
    });
    this.consumed = new Counter({
      name: 'fieldlink_kafka_consumed_total',
      help: 'Records consumed',
      labelNames: ['topic'],
      registers,
    });
    this.committed = new Counter({
      name: 'fieldlink_kafka_offset_commits_total',
      help: 'Consumer offset commits that Kafka accepted',
      labelNames: ['topic'],
      registers,
    });
    this.consumerRestarts = new Counter({
      name: 'fieldlink_kafka_consumer_restarts_total',
      help: 'Kafka consumers replaced by a new one: reason crash (kafkajs gave up) or watchdog',
      labelNames: ['client', 'reason'],
      registers,
    });
    this.watchdogRebuilds = new Counter({
      name: 'fieldlink_kafka_watchdog_rebuilds_total',
      help: 'Times the watchdog rebuilt the Kafka clients: work waited, Kafka answered a fresh connection, and nothing moved for kafka.watchdog.stallMs',
      registers,
    });
    this.watchdogLivenessFailures = new Counter({
      name: 'fieldlink_kafka_watchdog_liveness_failures_total',
      help: 'Times the watchdog failed /health/live because a rebuild did not help',
      registers,
    });
    const probes = this.connectedProbes;
    new Gauge({
      name: 'fieldlink_kafka_connected',
      help: 'Per Kafka client: 1 when connected and working (producer: last request succeeded; consumer: in its group), else 0',
      labelNames: ['client'],
      registers,
      collect() {
        for (const [client, connected] of probes) this.set({ client }, connected() ? 1 : 0);
      },
    });
    const lastDelivery = () => this.lastDelivery();
    new Gauge({
      name: 'fieldlink_kafka_last_delivery_age_seconds',
      help: 'Seconds since Kafka last acknowledged a produce request (since start, before the first)',
      registers,
      collect() {
        this.set((Date.now() - lastDelivery()) / 1000);
      },
    });
  }

  /** Reports `client` in fieldlink_kafka_connected. */
  watchConnection(client: string, connected: () => boolean): void {
    this.connectedProbes.set(client, connected);
  }

  watchDelivery(lastDelivery: () => number): void {
    this.lastDelivery = lastDelivery;
  }

  /** Reports the producer's waiting records in fieldlink_kafka_pending_records. */
  watchPending(pending: () => number): void {
    this.pending = pending;
  }
}
