import { Counter, Histogram, type Registry } from 'prom-client';

/** The `mapping` label of messages that matched no route. */
export const UNROUTED = '(none)';

/** Per-mapping counters of the ingest pipeline. */
export class IngestMetrics {
  readonly received: Counter<'mapping'>;
  readonly forwarded: Counter<'mapping' | 'topic'>;
  readonly deadLettered: Counter<'mapping' | 'code'>;
  readonly deadLetterFailed: Counter<'mapping'>;
  readonly rejected: Counter<'mapping'>;
  readonly latency: Histogram<'mapping'>;
  readonly commands: Counter<'status'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.received = new Counter({
      name: 'fieldlink_ingest_received_total',
      help: 'Messages received from devices',
      labelNames: ['mapping'],
      registers,
    });
    this.forwarded = new Counter({
      name: 'fieldlink_ingest_forwarded_total',
      help: 'Envelopes Kafka acknowledged',
      labelNames: ['mapping', 'topic'],
      registers,
    });
    this.deadLettered = new Counter({
      name: 'fieldlink_ingest_dead_lettered_total',
      help: 'Messages written to the dead-letter topic, by reason',
      labelNames: ['mapping', 'code'],
      registers,
    });
    this.deadLetterFailed = new Counter({
      name: 'fieldlink_ingest_dead_letter_failed_total',
      help: 'Dead-letter records Kafka refused; each is also logged with its raw bytes',
      labelNames: ['mapping'],
      registers,
    });
    this.rejected = new Counter({
      name: 'fieldlink_ingest_rejected_total',
      help: 'Messages refused because the spool was full (overflow: reject); the device was told to retry',
      labelNames: ['mapping'],
      registers,
    });
    this.latency = new Histogram({
      name: 'fieldlink_ingest_latency_seconds',
      help: 'From receipt to Kafka acknowledgement',
      labelNames: ['mapping'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers,
    });
    this.commands = new Counter({
      name: 'fieldlink_commands_total',
      help: 'Commands handled, by outcome',
      labelNames: ['status'],
      registers,
    });
  }
}
