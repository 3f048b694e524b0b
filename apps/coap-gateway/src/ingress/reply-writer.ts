import { ObserveWriteStream, type OutgoingMessage } from 'coap';
import { type Counter } from 'prom-client';
import { type Logger } from '@fieldlink/service';
import { type CoapReply } from './response';

/** Writes a reply with its options, and counts it by response code. */
export class ReplyWriter {
  constructor(
    private readonly maxPayloadBytes: number,
    private readonly responses: Counter<'code'>,
    private readonly failures: Counter<'reason'>,
    private readonly logger: Logger,
  ) {}

  /** `peer` (address:port) only names the device in a log line if the reply cannot be delivered. */
  write(res: OutgoingMessage, reply: CoapReply, peer: string): void {
    // node-coap emits 'error' on a response it could not build or send, and on a separate
    // (confirmable) response the device never acknowledged, after its last retransmission
    // (about 247 s later). With no listener, that event would end the process.
    res.on('error', (err: Error) => this.failed(err, reply, peer));
    if (reply.contentFormat !== undefined) res.setOption('Content-Format', reply.contentFormat);
    if (reply.maxAgeSeconds !== undefined) res.setOption('Max-Age', reply.maxAgeSeconds);
    if (reply.block1 !== undefined) res.setOption('Block1', reply.block1);
    if (reply.code === '4.13') res.setOption('Size1', this.maxPayloadBytes);
    this.responses.inc({ code: reply.code });
    if (res instanceof ObserveWriteStream) {
      // The registration's answer is the first notification (Observe 1). Any other answer to an
      // Observe request must carry no Observe option, so it ends the stream without a payload.
      res.statusCode = reply.code;
      if (reply.observe) res.write(Buffer.alloc(0));
      else res.end();
      return;
    }
    res.code = reply.code;
    res.end(reply.payload ?? reply.diagnostic ?? '');
  }

  private failed(err: Error, reply: CoapReply, peer: string): void {
    // node-coap's RetrySendError carries no name or code of its own, only this message.
    const reason = /^No reply in/.test(err.message) ? 'no-ack' : 'send';
    this.failures.inc({ reason });
    this.logger.warn({ peer, code: reply.code, reason, err: err.message }, 'CoAP response not delivered');
  }
}
