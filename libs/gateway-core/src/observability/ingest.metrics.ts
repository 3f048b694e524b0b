import { Counter, type Registry } from 'prom-client';
import { type HistogramTally, TalliedHistogram } from './tallied-histogram';

/** The `mapping` label of messages that matched no route. */
export const UNROUTED = '(none)';

/**
 * A count the hot path bumps as a plain number; its counter is told when scraped. prom-client's
 * inc hashes and checks the labels on every call, a cost paid per message otherwise.
 */
export class Tally {
  count = 0;

  inc(by = 1): void {
    this.count += by;
  }
}

/** The per-message metrics of one mapping. */
export interface MappingMetrics {
  received: Tally;
  latency: HistogramTally;
  forwarded(topic: string): Tally;
}

type Tallies<L extends string> = Map<string, { labels: Record<L, string>; tally: Tally }>;

/** Adds each tally's count to the counter, as a Counter's collect (called on every scrape). */
function flush<L extends string>(counter: Counter<L>, tallies: Tallies<L>): void {
  for (const { labels, tally } of tallies.values()) {
    if (tally.count === 0) continue;
    counter.inc(labels, tally.count);
    tally.count = 0;
  }
}

function tallyOf<L extends string>(tallies: Tallies<L>, labels: Record<L, string>): Tally {
  const key = Object.values(labels).join('\u0000');
  let entry = tallies.get(key);
  if (!entry) tallies.set(key, (entry = { labels, tally: new Tally() }));
  return entry.tally;
}

/** Per-mapping counters of the ingest pipeline. */
export class IngestMetrics {
  private readonly byMapping = new Map<string, MappingMetrics>();
  private readonly receivedTallies: Tallies<'mapping'> = new Map();
  private readonly forwardedTallies: Tallies<'mapping' | 'topic'> = new Map();

  readonly received: Counter<'mapping'>;
  readonly forwarded: Counter<'mapping' | 'topic'>;
  readonly deadLettered: Counter<'mapping' | 'code'>;
  readonly deadLetterFailed: Counter<'mapping'>;
  readonly rejected: Counter<'mapping'>;
  readonly latency: TalliedHistogram<'mapping'>;
  readonly commands: Counter<'status'>;

  constructor(registry: Registry) {
    const registers = [registry];
    const received = this.receivedTallies;
    const forwarded = this.forwardedTallies;
    this.received = new Counter({
      name: 'fieldlink_ingest_received_total',
      help: 'Messages received from devices',
      labelNames: ['mapping'],
      registers,
      collect() {
        flush(this, received);
      },
    });
    this.forwarded = new Counter({
      name: 'fieldlink_ingest_forwarded_total',
      help: 'Envelopes Kafka acknowledged',
      labelNames: ['mapping', 'topic'],
      registers,
      collect() {
        flush(this, forwarded);
      },
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
    this.latency = new TalliedHistogram('fieldlink_ingest_latency_seconds', 'From receipt to Kafka acknowledgement', 'mapping', [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5], registry);
    this.commands = new Counter({
      name: 'fieldlink_commands_total',
      help: 'Commands handled, by outcome',
      labelNames: ['status'],
      registers,
    });
  }

  /** Mapping names come from the config (and UNROUTED), so this map stays small. */
  of(mapping: string): MappingMetrics {
    let metrics = this.byMapping.get(mapping);
    if (!metrics) {
      const byTopic = new Map<string, Tally>();
      metrics = {
        received: tallyOf(this.receivedTallies, { mapping }),
        latency: this.latency.of(mapping),
        forwarded: (topic) => {
          let tally = byTopic.get(topic);
          if (!tally) byTopic.set(topic, (tally = tallyOf(this.forwardedTallies, { mapping, topic })));
          return tally;
        },
      };
      this.byMapping.set(mapping, metrics);
    }
    return metrics;
  }
}
