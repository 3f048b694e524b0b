import { type AddressInfo } from 'node:net';
import { type CoapPacket, type CoapServerOptions, type IncomingMessage, type OutgoingMessage, Server } from 'coap';
import { type BlockOption, parseBlockOption } from '../blockwise/block-option';
import { decodeUint } from './coap-uint';
import { boundedReplyCache } from './reply-cache';

/**
 * node-coap's server with Block1 (RFC 7959) left to the gateway. node-coap reassembles uploads
 * by token, but clients such as libcoap send each block with a new token, which RFC 7959 allows,
 * so their uploads never completed; it also buffers any size. The option is taken off each
 * request before node-coap sees it and kept beside the request for the adapter.
 *
 * It also bounds the replies node-coap keeps to answer a retransmitted request again.
 */
export class GatewayCoapServer extends Server {
  private readonly block1 = new WeakMap<CoapPacket, Buffer>();

  constructor(options: CoapServerOptions, maxCachedReplies: number, listener: (req: IncomingMessage, res: OutgoingMessage) => void) {
    super(options, listener);
    this._lru = boundedReplyCache(this._lru, maxCachedReplies);
  }

  override _handle(packet: CoapPacket, rsinfo: AddressInfo): void {
    const options = packet.options ?? [];
    const index = options.findIndex((o) => o.name === 'Block1');
    const option = options[index];
    if (option) {
      this.block1.set(packet, option.value);
      packet.options = options.filter((_, i) => i !== index);
    }
    super._handle(packet, rsinfo);
  }

  /** The request's Block1 option: absent, valid, or 'invalid' (e.g. the reserved SZX 7). */
  block1Of(req: IncomingMessage): BlockOption | 'invalid' | undefined {
    const value = this.block1.get(req._packet);
    return value === undefined ? undefined : (parseBlockOption(value) ?? 'invalid');
  }
}

/** The value of a uint option such as Observe or Size1, or undefined when absent. */
export function uintOption(req: IncomingMessage, name: string): number | undefined {
  // node-coap may already have converted a known option's bytes to a number.
  const value: unknown = req._packet.options?.find((o) => o.name === name)?.value;
  if (typeof value === 'number') return value;
  if (!Buffer.isBuffer(value)) return undefined;
  return decodeUint(value);
}
