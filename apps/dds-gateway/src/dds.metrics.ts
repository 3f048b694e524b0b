import { Counter, type Registry } from 'prom-client';

/** The DDS gateway's own metrics; the pipeline's and the spool's come from gateway-core. */
export class DdsMetrics {
  readonly samples: Counter<'reader'>;
  readonly unwritten: Counter<'reader'>;
  readonly instanceChanges: Counter<'reader' | 'state'>;

  constructor(registry: Registry) {
    this.samples = new Counter({ name: 'fieldlink_dds_samples_total', help: 'Samples taken from each DDS reader, valid or not', labelNames: ['reader'], registers: [registry] });
    this.unwritten = new Counter({
      name: 'fieldlink_dds_samples_unwritten_total',
      help: 'Samples taken from DDS but not written when the gateway stopped (Kafka unreachable, spool off): lost',
      labelNames: ['reader'],
      registers: [registry],
    });
    this.instanceChanges = new Counter({
      name: 'fieldlink_dds_instance_changes_total',
      help: 'DDS instances that changed state, reported as device-status',
      labelNames: ['reader', 'state'],
      registers: [registry],
    });
  }
}
