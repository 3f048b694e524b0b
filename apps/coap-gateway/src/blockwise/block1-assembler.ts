import { type BlockOption, blockSize } from './block-option';

export type BlockStep =
  /** More blocks to come: answer 2.31 Continue echoing the Block1 option. */
  | { kind: 'continue' }
  /** The last block arrived: the whole body, in order. */
  | { kind: 'complete'; body: Buffer }
  /** Over the limit (declared in Size1 or reached): 4.13; `body` is what arrived, for the dead letter. */
  | { kind: 'too-large'; body: Buffer; reason: string }
  /** A block out of sequence or of the wrong size: 4.08; `body` is what arrived, for the dead letter. */
  | { kind: 'incomplete'; body: Buffer; reason: string };

export interface Block1AssemblerOptions {
  maxBytes: number;
  /** A transfer not continued within this long is dropped (RFC 7252 EXCHANGE_LIFETIME). */
  lifetimeMs: number;
  /** At most this many transfers are held at once; the oldest goes first. */
  maxTransfers: number;
  now?: () => number;
}

interface Transfer {
  parts: Buffer[];
  received: number;
  touched: number;
}

/**
 * Reassembles Block1 uploads (RFC 7959 §2.5). A transfer is keyed by the client endpoint and the
 * request target, not by token: clients such as libcoap send each block with a new token, which
 * the RFC allows. Memory is bounded by `maxBytes` per transfer and `maxTransfers`.
 */
export class Block1Assembler {
  private readonly transfers = new Map<string, Transfer>();
  private readonly now: () => number;

  constructor(private readonly options: Block1AssemblerOptions) {
    this.now = options.now ?? Date.now;
  }

  get inProgress(): number {
    return this.transfers.size;
  }

  accept(key: string, block: BlockOption, payload: Buffer, declaredSize?: number): BlockStep {
    this.expire();
    const offset = block.num * blockSize(block);
    if (block.num === 0) this.begin(key);
    const transfer = this.transfers.get(key);
    if (!transfer || offset !== transfer.received) {
      this.transfers.delete(key);
      const body = transfer ? Buffer.concat(transfer.parts) : Buffer.alloc(0);
      return { kind: 'incomplete', body: Buffer.concat([body, payload]), reason: `block ${block.num} starts at byte ${offset}, but ${transfer?.received ?? 0} bytes of this upload arrived before it` };
    }
    transfer.parts.push(payload);
    transfer.received += payload.length;
    transfer.touched = this.now();
    const limit = this.options.maxBytes;
    if (transfer.received > limit || (declaredSize !== undefined && declaredSize > limit)) {
      this.transfers.delete(key);
      const size = Math.max(transfer.received, declaredSize ?? 0);
      return { kind: 'too-large', body: Buffer.concat(transfer.parts), reason: `the body is ${size} bytes${transfer.received < size ? ' (Size1)' : ''}, over the limit of ${limit}` };
    }
    if (block.more && payload.length !== blockSize(block)) {
      this.transfers.delete(key);
      return { kind: 'incomplete', body: Buffer.concat(transfer.parts), reason: `block ${block.num} has ${payload.length} bytes; every block but the last must have ${blockSize(block)}` };
    }
    if (block.more) return { kind: 'continue' };
    this.transfers.delete(key);
    return { kind: 'complete', body: Buffer.concat(transfer.parts) };
  }

  private begin(key: string): void {
    // Block 0 (re)starts the upload; re-inserting keeps the map in age order.
    this.transfers.delete(key);
    if (this.transfers.size >= this.options.maxTransfers) {
      const oldest = this.transfers.keys().next().value;
      if (oldest !== undefined) this.transfers.delete(oldest);
    }
    this.transfers.set(key, { parts: [], received: 0, touched: this.now() });
  }

  private expire(): void {
    const cutoff = this.now() - this.options.lifetimeMs;
    for (const [key, transfer] of this.transfers) {
      if (transfer.touched < cutoff) this.transfers.delete(key);
    }
  }
}
