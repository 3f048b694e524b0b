import { type Server } from 'coap';

type ReplyCache = Server['_lru'];

/** What node-coap caches per answered request: the datagram, and the sender that retransmits it. */
type CachedReply = Buffer & { sender?: Sender };

/** node-coap's RetrySend: 'timeout' comes once, after the last retransmission or the exchange lifetime. */
type Sender = { reset(): void; once(event: 'timeout', listener: () => void): unknown };

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
 *
 * A separate CON response the device has not acknowledged yet is still being retransmitted when
 * it is evicted: its sender is left to finish (RFC 7252 §4.2, and `no-ack` after the last try)
 * instead of being silenced; an ACK for it that comes afterwards is no longer matched, so it is
 * retransmitted to the end and counted as not acknowledged. Closing the server (which clears the
 * cache) stops those too, so none of them sends on a closed socket or outlives the server.
 */
export function boundedReplyCache(original: ReplyCache, max: number): ReplyCache {
  const Cache = original.constructor as new (options: object) => ReplyCache;
  const evictedInFlight = new Set<Sender>();
  const dispose = (reply: CachedReply, _key: string, reason: string) => {
    const sender = reply.sender;
    if (reason === 'evict' && isConfirmable(reply) && sender) {
      evictedInFlight.add(sender);
      sender.once('timeout', () => evictedInFlight.delete(sender));
      return;
    }
    sender?.reset();
  };
  const cache = new Cache({ max, ttl: original.ttl, dispose });
  const clear = cache.clear.bind(cache);
  cache.clear = () => {
    for (const sender of evictedInFlight) sender.reset();
    evictedInFlight.clear();
    clear();
  };
  const set = cache.set.bind(cache);
  cache.set = (key: string, reply: CachedReply, ...rest: unknown[]) => {
    const result = set(key, reply, ...(rest as []));
    // node-coap attaches the sender and sends right after caching the reply, in the same turn.
    queueMicrotask(() => release(reply));
    return result;
  };
  return cache;
}

function isConfirmable(reply: CachedReply): boolean {
  return (((reply[0] ?? 0) >> 4) & 0b11) === CONFIRMABLE;
}

function release(reply: CachedReply): void {
  if (isConfirmable(reply) || !reply.sender) return;
  reply.sender.reset();
  delete reply.sender;
}
