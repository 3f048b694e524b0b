import { Counter, Gauge, type Registry } from 'prom-client';

/** What the metrics read at each scrape. */
export interface CoapMetricsState {
  observers: () => number;
  blockTransfers: () => number;
  blockTransferBytes: () => number;
  lastReadings: () => number;
  lastReadingsBytes: () => number;
}

/** The CoAP gateway's own metrics; the pipeline's and the spool's come from gateway-core. */
export class CoapMetrics {
  readonly responses: Counter<'code'>;
  readonly authFailures: Counter<'reason'>;
  readonly replyFailures: Counter<'reason'>;
  readonly blockTransfersRefused: Counter;
  readonly lastReadingsEvicted: Counter;
  readonly observersEvicted: Counter;

  constructor(registry: Registry, state: CoapMetricsState) {
    const registers = [registry];
    this.responses = new Counter({ name: 'fieldlink_coap_responses_total', help: 'CoAP responses sent, by response code', labelNames: ['code'], registers });
    this.authFailures = new Counter({ name: 'fieldlink_coap_auth_failures_total', help: 'Requests refused with 4.01, by reason', labelNames: ['reason'], registers });
    this.replyFailures = new Counter({
      name: 'fieldlink_coap_reply_failures_total',
      help: 'Responses that could not be delivered: no-ack (a separate response the device never acknowledged) or send (the datagram could not be built or sent)',
      labelNames: ['reason'],
      registers,
    });
    this.blockTransfersRefused = new Counter({
      name: 'fieldlink_coap_block_transfers_refused_total',
      help: 'Block1 blocks answered 5.03 because the uploads held coap.maxBlockTransferBytes',
      registers,
    });
    this.lastReadingsEvicted = new Counter({
      name: 'fieldlink_coap_last_readings_evicted_total',
      help: 'Last readings dropped (least recently used first) to stay within coap.maxLastReadings and coap.maxLastReadingsBytes',
      registers,
    });
    this.observersEvicted = new Counter({ name: 'fieldlink_coap_observers_evicted_total', help: 'Observations ended to stay within coap.maxObservers', registers });
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({ name, help, registers, collect() { this.set(read()); } });
    gauge('fieldlink_coap_observers', 'Devices observing their command resource', state.observers);
    gauge('fieldlink_coap_block_transfers', 'Block1 uploads in progress', state.blockTransfers);
    gauge('fieldlink_coap_block_transfer_bytes', 'Bytes the Block1 uploads in progress hold (declared Size1 included)', state.blockTransferBytes);
    gauge('fieldlink_coap_last_readings', 'Devices whose last reading is kept for GET', state.lastReadings);
    gauge('fieldlink_coap_last_readings_bytes', 'Payload bytes of the last readings kept for GET', state.lastReadingsBytes);
  }
}
