import { type Server } from 'coap';

type ReplyCache = Server['_lru'];

/** What node-coap caches per answered request: the datagram, and the sender that retransmits it. */
type CachedReply = Buffer & { sender?: { reset(): void } };

/** CoAP message types (RFC 7252 §3): only a CON is retransmitted until acknowledged. */
const CONFIRMABLE = 0;

/**
 * A replacement for node-coap's cache of the replies it sent, which answers a retransmitted request
 * again without handling it twice. node-coap bounds it to 32 MiB of datagrams, kept for
 * EXCHANGE_LIFETIME (247 s); a piggybacked ACK is ~12 bytes, so that allows millions of entries,
 * and each also kept its sender's 202 s timer, and through it the whole exchange (~5 KB). At full
 * load the gateway ran out of heap within 30 s. This one holds at most `max` replies, and lets go of
 * the sender of any reply that is not retransmitted (an ACK or NON) once it is sent: ~0.8 KB each.
 * A retransmission whose reply was evicted is handled again, under the same message id.
 */
export function boundedReplyCache(original: ReplyCache, max: number): ReplyCache {
  const Cache = original.constructor as new (options: object) => ReplyCache;
  const cache = new Cache({ max, ttl: original.ttl, dispose: (reply: CachedReply) => reply.sender?.reset() });
  const set = cache.set.bind(cache);
  cache.set = (key: string, reply: CachedReply, ...rest: unknown[]) => {
    const result = set(key, reply, ...(rest as []));
    // node-coap attaches the sender and sends right after caching the reply, in the same turn.
    queueMicrotask(() => release(reply));
    return result;
  };
  return cache;
}

function release(reply: CachedReply): void {
  const type = ((reply[0] ?? 0) >> 4) & 0b11;
  if (type === CONFIRMABLE || !reply.sender) return;
  reply.sender.reset();
  delete reply.sender;
}
