import { type IncomingMessage } from 'coap';
import { type Counter } from 'prom-client';
import { CoreError, CoreErrorCode } from '@fieldlink/gateway-core';
import { CoapError, CoapErrorCode } from '../errors';
import { type BlockOption, encodeBlockOption } from '../blockwise/block-option';
import { Block1Assembler } from '../blockwise/block1-assembler';
import { uintOption } from '../session/coap-server';
import { type CoapReply } from './response';

/** RFC 7252 EXCHANGE_LIFETIME: how long a Block1 upload may pause between blocks. */
const EXCHANGE_LIFETIME_MS = 247_000;
/**
 * While the uploads fill coap.maxBlockTransferBytes, one paused this long is dropped for a new block:
 * a block lost twice is retransmitted within about 9 s (ACK_TIMEOUT 2–3 s, doubled; RFC 7252 §4.2).
 */
const IDLE_UNDER_PRESSURE_MS = 10_000;

/** A 2.31 reply while more blocks are due; otherwise the payload, with an error to dead-letter it with if the upload went wrong. */
export type RequestBody = { reply: CoapReply } | { payload: Buffer; block1?: Buffer; error?: CoreError | CoapError };

/** Request bodies, reassembled when they come in Block1 blocks (RFC 7959 §2.5). */
export class Block1Upload {
  private readonly blocks: Block1Assembler;

  constructor(
    private readonly block1Of: (req: IncomingMessage) => BlockOption | 'invalid' | undefined,
    limits: { maxBytes: number; maxTransfers: number; maxTotalBytes: number },
    private readonly refused: Counter,
  ) {
    this.blocks = new Block1Assembler({ ...limits, lifetimeMs: EXCHANGE_LIFETIME_MS, idleUnderPressureMs: IDLE_UNDER_PRESSURE_MS });
  }

  get inProgress(): number {
    return this.blocks.inProgress;
  }

  get bytes(): number {
    return this.blocks.bytes;
  }

  body(req: IncomingMessage, path: string): RequestBody {
    const block = this.block1Of(req);
    if (block === undefined) return { payload: req.payload };
    if (block === 'invalid') return { payload: req.payload, error: new CoapError(CoapErrorCode.PayloadIncomplete, 'the Block1 option is malformed or uses the reserved size exponent 7 (RFC 7959 §2.2)') };
    const step = this.blocks.accept(`${req.rsinfo.address}|${req.rsinfo.port}|${path}`, block, req.payload, uintOption(req, 'Size1'));
    const block1 = encodeBlockOption(block);
    switch (step.kind) {
      case 'continue':
        return { reply: { code: '2.31', block1 } };
      case 'complete':
        return { payload: step.body, block1 };
      case 'too-large':
        return { payload: step.body, block1, error: new CoreError(CoreErrorCode.PayloadTooLarge, step.reason) };
      case 'incomplete':
        return { payload: step.body, block1, error: new CoapError(CoapErrorCode.PayloadIncomplete, step.reason) };
      case 'busy':
        // Nothing is kept and nothing dead-lettered: the device sends the body again after Max-Age.
        this.refused.inc();
        return { reply: { code: '5.03', diagnostic: step.reason, maxAgeSeconds: Math.ceil(step.retryAfterMs / 1000) } };
    }
  }
}
