import { ObserveWriteStream, type OutgoingMessage } from 'coap';
import { type Counter } from 'prom-client';
import { type CoapReply } from './response';

/** Writes a reply with its options, and counts it by response code. */
export class ReplyWriter {
  constructor(
    private readonly maxPayloadBytes: number,
    private readonly responses: Counter<'code'>,
  ) {}

  write(res: OutgoingMessage, reply: CoapReply): void {
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
}
