import { type IncomingMessage, type OutgoingMessage } from 'coap';
import { type Logger } from '@fieldlink/service';
import { requestOf } from './request';
import { type CoapReply } from './response';

/**
 * The requests being handled. Each is answered only once the pipeline is done with it, and a
 * retransmitted CON (same endpoint and message id) joins the first instead of being handled again.
 */
export class Exchanges {
  /** Requests still being ingested, by endpoint and message id, so a retransmitted CON joins the first. */
  private readonly pending = new Map<string, Promise<CoapReply>>();

  constructor(
    private readonly handle: (req: IncomingMessage) => Promise<CoapReply>,
    private readonly answer: (req: IncomingMessage, res: OutgoingMessage, reply: CoapReply) => void,
    private readonly logger: Logger,
  ) {}

  onRequest(req: IncomingMessage, res: OutgoingMessage): void {
    const key = `${req.rsinfo.address}|${req.rsinfo.port}|${req._packet.messageId ?? ''}`;
    let reply = this.pending.get(key);
    if (!reply) {
      reply = this.handle(req).catch((err: unknown): CoapReply => {
        // Only a retryable Kafka failure at shutdown: the device should send again.
        // The path only: the query may carry the device's token.
        this.logger.warn({ err, path: requestOf(req).path }, 'CoAP request not forwarded');
        return { code: '5.03', diagnostic: 'not stored; retry', maxAgeSeconds: 1 };
      });
      this.pending.set(key, reply);
      void reply.finally(() => this.pending.delete(key));
    }
    void reply.then((r) => this.answer(req, res, r));
  }

  /** Settles once every request in flight is answered. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.pending.values()]);
  }
}
