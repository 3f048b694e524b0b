import { Counter, Gauge, type Registry } from 'prom-client';

/** The CoAP gateway's own metrics; the pipeline's and the spool's come from gateway-core. */
export class CoapMetrics {
  readonly responses: Counter<'code'>;
  readonly authFailures: Counter<'reason'>;
  readonly replyFailures: Counter<'reason'>;

  constructor(registry: Registry, state: { observers: () => number; blockTransfers: () => number }) {
    this.responses = new Counter({ name: 'fieldlink_coap_responses_total', help: 'CoAP responses sent, by response code', labelNames: ['code'], registers: [registry] });
    this.authFailures = new Counter({ name: 'fieldlink_coap_auth_failures_total', help: 'Requests refused with 4.01, by reason', labelNames: ['reason'], registers: [registry] });
    this.replyFailures = new Counter({
      name: 'fieldlink_coap_reply_failures_total',
      help: 'Responses that could not be delivered: no-ack (a separate response the device never acknowledged) or send (the datagram could not be built or sent)',
      labelNames: ['reason'],
      registers: [registry],
    });
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({ name, help, registers: [registry], collect() { this.set(read()); } });
    gauge('fieldlink_coap_observers', 'Devices observing their command resource', state.observers);
    gauge('fieldlink_coap_block_transfers', 'Block1 uploads in progress', state.blockTransfers);
  }
}
