import { Counter, type Registry } from 'prom-client';

/** Counters of the stream processor; replayed records rebuild state and count only as replayed. */
export class StreamMetrics {
  readonly processed: Counter;
  readonly replayed: Counter;
  readonly rejected: Counter<'code'>;
  readonly windowsClosed: Counter;
  readonly alerts: Counter<'state'>;
  readonly commands: Counter<'rule'>;

  constructor(registry: Registry) {
    const counter = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
      new Counter<L>({ name: `fieldlink_stream_${name}`, help, labelNames, registers: [registry] });
    this.processed = counter('records_processed_total', 'Valid telemetry records processed');
    this.replayed = counter('records_replayed_total', 'Records replayed to rebuild state after a restart or rebalance');
    this.rejected = counter('records_rejected_total', 'Records sent to dead-letter: invalid telemetry, or later than the grace period', ['code']);
    this.windowsClosed = counter('windows_closed_total', 'Windows closed and emitted to window-stats');
    this.alerts = counter('alerts_total', 'Alerts raised and cleared', ['state']);
    this.commands = counter('commands_total', 'Commands produced by rules', ['rule']);
  }
}
