import { type IncomingMessage } from 'coap';
import { CoreError, CoreErrorCode } from '@fieldlink/gateway-core';
import { CoapError, CoapErrorCode } from '../errors';
import { type BlockOption, encodeBlockOption } from '../blockwise/block-option';
import { Block1Assembler } from '../blockwise/block1-assembler';
import { uintOption } from '../session/coap-server';
import { type CoapReply } from './response';

/** RFC 7252 EXCHANGE_LIFETIME: how long a Block1 upload may pause between blocks. */
const EXCHANGE_LIFETIME_MS = 247_000;

/** A 2.31 reply while more blocks are due; otherwise the payload, with an error to dead-letter it with if the upload went wrong. */
export type RequestBody = { reply: CoapReply } | { payload: Buffer; block1?: Buffer; error?: CoreError | CoapError };

/** Request bodies, reassembled when they come in Block1 blocks (RFC 7959 §2.5). */
export class Block1Upload {
  private readonly blocks: Block1Assembler;

  constructor(
    private readonly block1Of: (req: IncomingMessage) => BlockOption | 'invalid' | undefined,
    limits: { maxBytes: number; maxTransfers: number },
  ) {
    this.blocks = new Block1Assembler({ ...limits, lifetimeMs: EXCHANGE_LIFETIME_MS });
  }

  get inProgress(): number {
    return this.blocks.inProgress;
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
    }
  }
}
