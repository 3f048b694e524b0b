import { Counter, Gauge, type Registry } from 'prom-client';

export type DropReason = 'overflow' | 'expired' | 'rejected' | 'corrupt';

export class SpoolMetrics {
  readonly spooled: Counter;
  readonly replayed: Counter;
  readonly dropped: Counter<'reason'>;

  constructor(registry: Registry, state: { depth: () => number; bytes: () => number; oldestAgeSeconds: () => number; maxBytes: () => number }) {
    this.spooled = new Counter({ name: 'fieldlink_spool_spooled_total', help: 'Records written to the durable spool', registers: [registry] });
    this.replayed = new Counter({ name: 'fieldlink_spool_replayed_total', help: 'Spooled records delivered to Kafka', registers: [registry] });
    this.dropped = new Counter({
      name: 'fieldlink_spool_dropped_total',
      help: 'Records the spool gave up: overflow (drop-newest policy), expired (older than maxAgeMs), rejected by Kafka, or corrupt on disk',
      labelNames: ['reason'],
      registers: [registry],
    });
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({ name, help, registers: [registry], collect() { this.set(read()); } });
    gauge('fieldlink_spool_records', 'Records waiting in the spool', state.depth);
    gauge('fieldlink_spool_bytes', 'Bytes waiting in the spool', state.bytes);
    gauge('fieldlink_spool_oldest_age_seconds', 'Age of the oldest record waiting in the spool', state.oldestAgeSeconds);
    gauge('fieldlink_spool_max_bytes', 'The spool limit applied: spool.maxBytes, or less when the spool volume cannot hold that much', state.maxBytes);
  }
}
