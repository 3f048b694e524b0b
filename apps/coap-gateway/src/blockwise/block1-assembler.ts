import { type BlockOption, blockSize } from './block-option';

export type BlockStep =
  /** More blocks to come: answer 2.31 Continue echoing the Block1 option. */
  | { kind: 'continue' }
  /** The last block arrived: the whole body, in order. */
  | { kind: 'complete'; body: Buffer }
  /** Over the limit (declared in Size1 or reached): 4.13; `body` is what arrived, for the dead letter. */
  | { kind: 'too-large'; body: Buffer; reason: string }
  /** A block out of sequence or of the wrong size: 4.08; `body` is what arrived, for the dead letter. */
  | { kind: 'incomplete'; body: Buffer; reason: string }
  /** Holding this block would pass `maxTotalBytes`: 5.03 with Max-Age; the upload is dropped and starts again from block 0. */
  | { kind: 'busy'; retryAfterMs: number; reason: string };

export interface Block1AssemblerOptions {
  maxBytes: number;
  /** All transfers together hold at most this many bytes. */
  maxTotalBytes: number;
  /** A transfer not continued within this long is dropped (RFC 7252 EXCHANGE_LIFETIME). */
  lifetimeMs: number;
  /** When `maxTotalBytes` is reached, transfers idle this long are dropped to make room for new blocks. */
  idleUnderPressureMs: number;
  /** At most this many transfers are held at once; the least recently continued goes first. */
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
 * the RFC allows. Memory is bounded by `maxBytes` per transfer, `maxTransfers` and `maxTotalBytes`.
 * The map is kept in the order transfers were last continued, so the idlest come first. Only
 * bytes that arrived count, not a declared Size1: reserving it would let a sender that declares
 * large bodies and sends one block fill the bound at no cost.
 */
export class Block1Assembler {
  private readonly transfers = new Map<string, Transfer>();
  private readonly now: () => number;
  private held = 0;

  constructor(private readonly options: Block1AssemblerOptions) {
    this.now = options.now ?? Date.now;
  }

  get inProgress(): number {
    return this.transfers.size;
  }

  /** Bytes counted against maxTotalBytes now. */
  get bytes(): number {
    return this.held;
  }

  accept(key: string, block: BlockOption, payload: Buffer, declaredSize?: number): BlockStep {
    this.expire();
    const limit = this.options.maxBytes;
    if (block.num === 0) this.begin(key);
    const offset = block.num * blockSize(block);
    const transfer = this.transfers.get(key);
    if (!transfer || offset !== transfer.received) {
      this.drop(key);
      const body = transfer ? Buffer.concat(transfer.parts) : Buffer.alloc(0);
      return { kind: 'incomplete', body: Buffer.concat([body, payload]), reason: `block ${block.num} starts at byte ${offset}, but ${transfer?.received ?? 0} bytes of this upload arrived before it` };
    }
    const received = transfer.received + payload.length;
    if (received > limit || (declaredSize !== undefined && declaredSize > limit)) {
      this.drop(key);
      const size = Math.max(received, declaredSize ?? 0);
      return { kind: 'too-large', body: Buffer.concat([...transfer.parts, payload]), reason: `the body is ${size} bytes${received < size ? ' (Size1)' : ''}, over the limit of ${limit}` };
    }
    if (block.more && payload.length !== blockSize(block)) {
      this.drop(key);
      return { kind: 'incomplete', body: Buffer.concat([...transfer.parts, payload]), reason: `block ${block.num} has ${payload.length} bytes; every block but the last must have ${blockSize(block)}` };
    }
    if (!this.makeRoom(payload.length, key)) {
      this.drop(key);
      return this.busy(key, `holding block ${block.num} would pass the ${this.options.maxTotalBytes} bytes all uploads may hold`);
    }
    transfer.parts.push(payload);
    transfer.received = received;
    this.held += payload.length;
    transfer.touched = this.now();
    if (!block.more) {
      this.drop(key);
      return { kind: 'complete', body: Buffer.concat(transfer.parts) };
    }
    // Re-inserted so that the map stays in the order transfers were last continued.
    this.transfers.delete(key);
    this.transfers.set(key, transfer);
    return { kind: 'continue' };
  }

  /** Block 0 (re)starts the upload. */
  private begin(key: string): void {
    this.drop(key);
    if (this.transfers.size >= this.options.maxTransfers) {
      const idlest = this.transfers.keys().next().value;
      if (idlest !== undefined) this.drop(idlest);
    }
    this.transfers.set(key, { parts: [], received: 0, touched: this.now() });
  }

  /** Drops transfers idle for idleUnderPressureMs, idlest first, until `bytes` more fit; false if they still do not. */
  private makeRoom(bytes: number, keep: string): boolean {
    const { maxTotalBytes, idleUnderPressureMs } = this.options;
    const cutoff = this.now() - idleUnderPressureMs;
    for (const [key, transfer] of this.transfers) {
      if (this.held + bytes <= maxTotalBytes) break;
      if (transfer.touched > cutoff) break;
      if (key !== keep) this.drop(key);
    }
    return this.held + bytes <= maxTotalBytes;
  }

  /** 5.03 until the idlest other transfer may be dropped (RFC 7252 §5.9.3.4: Max-Age says when to retry). */
  private busy(key: string, reason: string): BlockStep {
    let idlest: number | undefined;
    for (const [other, transfer] of this.transfers) {
      if (other !== key) {
        idlest = transfer.touched;
        break;
      }
    }
    const wait = idlest === undefined ? 0 : idlest + this.options.idleUnderPressureMs - this.now();
    return { kind: 'busy', retryAfterMs: Math.max(1000, wait), reason };
  }

  private drop(key: string): void {
    const transfer = this.transfers.get(key);
    if (!transfer) return;
    this.held -= transfer.received;
    this.transfers.delete(key);
  }

  private expire(): void {
    const cutoff = this.now() - this.options.lifetimeMs;
    for (const [key, transfer] of this.transfers) {
      if (transfer.touched >= cutoff) break;
      this.drop(key);
    }
  }
}
