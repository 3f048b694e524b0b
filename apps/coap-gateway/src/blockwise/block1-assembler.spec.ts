import fc from 'fast-check';
import { encodeBlockOption, parseBlockOption } from './block-option';
import { Block1Assembler } from './block1-assembler';

function blocks(body: Buffer, szx: number): { num: number; more: boolean; szx: number; payload: Buffer }[] {
  const size = 2 ** (szx + 4);
  const out = [];
  for (let num = 0; num * size < body.length || num === 0; num++) {
    out.push({ num, more: (num + 1) * size < body.length, szx, payload: body.subarray(num * size, (num + 1) * size) });
  }
  return out;
}

describe('Block option', () => {
  it('round-trips every valid value and refuses SZX 7 and values over 3 bytes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xfffff }), fc.boolean(), fc.integer({ min: 0, max: 6 }), (num, more, szx) => {
        expect(parseBlockOption(encodeBlockOption({ num, more, szx }))).toEqual({ num, more, szx });
      }),
    );
    expect(parseBlockOption(Buffer.from([0x07]))).toBeUndefined();
    expect(parseBlockOption(Buffer.alloc(4))).toBeUndefined();
    expect(encodeBlockOption({ num: 0, more: false, szx: 0 })).toEqual(Buffer.alloc(0));
  });
});

describe('Block1Assembler', () => {
  const options = { maxBytes: 4096, maxTotalBytes: 1 << 20, lifetimeMs: 1000, idleUnderPressureMs: 100, maxTransfers: 2 };

  it('reassembles any body within the limit from its blocks, whatever the block size', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 4096 }), fc.integer({ min: 0, max: 6 }), (bytes, szx) => {
        const assembler = new Block1Assembler(options);
        const body = Buffer.from(bytes);
        const steps = blocks(body, szx).map((b) => assembler.accept('ep|/sensors/a', b, b.payload));
        expect(steps.slice(0, -1).every((s) => s.kind === 'continue')).toBe(true);
        expect(steps.at(-1)).toEqual({ kind: 'complete', body });
        expect([assembler.inProgress, assembler.bytes]).toEqual([0, 0]);
      }),
    );
  });

  it('keeps uploads from different endpoints or paths apart', () => {
    const assembler = new Block1Assembler(options);
    const [a0, a1] = blocks(Buffer.alloc(20, 'a'), 0);
    const [b0, b1] = blocks(Buffer.alloc(20, 'b'), 0);
    assembler.accept('ep1|/x', a0, a0.payload);
    assembler.accept('ep2|/x', b0, b0.payload);
    expect(assembler.accept('ep2|/x', b1, b1.payload)).toEqual({ kind: 'complete', body: Buffer.alloc(20, 'b') });
    expect(assembler.accept('ep1|/x', a1, a1.payload)).toEqual({ kind: 'complete', body: Buffer.alloc(20, 'a') });
  });

  it('answers too-large once the body passes the limit, or at once when Size1 declares more, with the bytes that came', () => {
    const assembler = new Block1Assembler({ ...options, maxBytes: 40 });
    const parts = blocks(Buffer.alloc(64, 'x'), 0);
    const steps = parts.map((b) => assembler.accept('k', b, b.payload));
    expect(steps.map((s) => s.kind)).toEqual(['continue', 'continue', 'too-large', 'incomplete']);
    expect(steps[2]).toMatchObject({ body: Buffer.alloc(48, 'x'), reason: 'the body is 48 bytes, over the limit of 40' });
    const declared = assembler.accept('k2', parts[0], parts[0].payload, 64);
    expect(declared).toMatchObject({ kind: 'too-large', reason: 'the body is 64 bytes (Size1), over the limit of 40' });
  });

  it('reports a gap, a short middle block or an expired upload as incomplete, and block 0 starts afresh', () => {
    let now = 0;
    const assembler = new Block1Assembler({ ...options, now: () => now });
    const [b0, b1, b2] = blocks(Buffer.alloc(48, 'y'), 0);
    assembler.accept('k', b0, b0.payload);
    expect(assembler.accept('k', b2, b2.payload)).toMatchObject({ kind: 'incomplete', reason: 'block 2 starts at byte 32, but 16 bytes of this upload arrived before it' });
    assembler.accept('k', b0, b0.payload);
    expect(assembler.accept('k', b1, Buffer.alloc(3))).toMatchObject({ kind: 'incomplete', body: Buffer.concat([b0.payload, Buffer.alloc(3)]) });
    assembler.accept('k', b0, b0.payload);
    now = 1001;
    expect(assembler.accept('k', b1, b1.payload).kind).toBe('incomplete');
  });

  it('holds at most maxTotalBytes over all uploads: a block beyond it is busy until the idlest upload may be dropped, and nothing of it is kept', () => {
    let now = 0;
    const assembler = new Block1Assembler({ ...options, maxTransfers: 10, maxTotalBytes: 48, now: () => now });
    const a = blocks(Buffer.alloc(64, 'a'), 0);
    const [b0] = blocks(Buffer.alloc(64, 'b'), 0);
    expect(a.slice(0, 3).map((b) => assembler.accept('a', b, b.payload).kind)).toEqual(['continue', 'continue', 'continue']);
    expect(assembler.bytes).toBe(48);
    now = 50;
    // `a` was continued 50 ms ago: busy for the 50 ms until it has paused idleUnderPressureMs, at least 1 s.
    expect(assembler.accept('b', b0, b0.payload)).toEqual({ kind: 'busy', retryAfterMs: 1000, reason: 'holding block 0 would pass the 48 bytes all uploads may hold' });
    expect([assembler.inProgress, assembler.bytes]).toEqual([1, 48]);
  });

  it('under pressure drops the upload idle longest once it has paused idleUnderPressureMs, to take a new block', () => {
    let now = 0;
    const assembler = new Block1Assembler({ ...options, maxTransfers: 10, maxTotalBytes: 32, now: () => now });
    const [a0, a1, a2] = blocks(Buffer.alloc(64, 'a'), 0);
    const [b0] = blocks(Buffer.alloc(64, 'b'), 0);
    assembler.accept('a', a0, a0.payload);
    assembler.accept('a', a1, a1.payload);
    now = 100;
    expect(assembler.accept('b', b0, b0.payload).kind).toBe('continue');
    expect(assembler.accept('a', a2, a2.payload).kind).toBe('incomplete');
    expect(assembler.bytes).toBe(16);
  });

  it('drops the upload whose block would pass maxTotalBytes while the others are recent', () => {
    const assembler = new Block1Assembler({ ...options, maxTransfers: 10, maxTotalBytes: 48 });
    const [a0, a1] = blocks(Buffer.alloc(64, 'a'), 0);
    const [b0, b1] = blocks(Buffer.alloc(64, 'b'), 0);
    assembler.accept('a', a0, a0.payload);
    assembler.accept('b', b0, b0.payload);
    assembler.accept('a', a1, a1.payload);
    expect(assembler.accept('b', b1, b1.payload)).toMatchObject({ kind: 'busy', reason: 'holding block 1 would pass the 48 bytes all uploads may hold' });
    expect([assembler.inProgress, assembler.bytes]).toEqual([1, 32]);
  });

  it('drops an upload not continued within lifetimeMs and releases its bytes', () => {
    let now = 0;
    const assembler = new Block1Assembler({ ...options, now: () => now });
    const [a0] = blocks(Buffer.alloc(64, 'a'), 0);
    const [b0] = blocks(Buffer.alloc(16, 'b'), 0);
    assembler.accept('a', a0, a0.payload);
    now = 1001;
    expect(assembler.accept('b', b0, b0.payload).kind).toBe('complete');
    expect([assembler.inProgress, assembler.bytes]).toEqual([0, 0]);
  });

  it('holds at most maxTransfers uploads, dropping the oldest', () => {
    const assembler = new Block1Assembler(options);
    const [b0, b1] = blocks(Buffer.alloc(20, 'z'), 0);
    for (const key of ['a', 'b', 'c']) assembler.accept(key, b0, b0.payload);
    expect(assembler.inProgress).toBe(2);
    expect(assembler.accept('a', b1, b1.payload).kind).toBe('incomplete');
    expect(assembler.accept('c', b1, b1.payload).kind).toBe('complete');
  });
});
