import { type RemoteInfo } from 'node:dgram';
import { ConfirmableSender, maxTransmitWaitMs } from './confirmable-sender';

const PEER = { address: '127.0.0.1', port: 5683 };
const from = { ...PEER, family: 'IPv4', size: 4 } as RemoteInfo;

/** An empty ACK or RST (RFC 7252 §4.2, §4.3) for a message id. */
function reply(type: 'ack' | 'rst', messageId: number): Buffer {
  const out = Buffer.alloc(4);
  out[0] = 0x40 | (type === 'ack' ? 0x20 : 0x30);
  out.writeUInt16BE(messageId, 2);
  return out;
}

describe(ConfirmableSender.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function setup(random = 0): { sender: ConfirmableSender; sent: Buffer[] } {
    const sent: Buffer[] = [];
    const socket = { send: (message: Buffer) => void sent.push(message) };
    return { sender: new ConfirmableSender(socket, { ackTimeoutMs: 1000, maxRetransmit: 3 }, () => random), sent };
  }

  it('retransmits with doubling waits, MAX_RETRANSMIT times, then reports a timeout', async () => {
    const { sender, sent } = setup();
    const outcome = sender.send({ code: '2.05', payload: Buffer.from('x') }, PEER.address, PEER.port);
    const times: number[] = [];
    for (let i = 0; i < 4; i++) {
      times.push(sent.length);
      await jest.advanceTimersByTimeAsync(1000 * 2 ** i);
    }
    expect(times).toEqual([1, 2, 3, 4]);
    await expect(outcome).resolves.toBe('timeout');
    expect(new Set(sent.map((b) => b.readUInt16BE(2))).size).toBe(1);
    expect(sent[0]?.[0]).toBe(0x40); // version 1, CON, no token
    expect(sender.inFlight).toBe(0);
  });

  it('settles on the ACK or RST for its message id from its peer only', async () => {
    const { sender, sent } = setup();
    const acked = sender.send({ code: '2.05' }, PEER.address, PEER.port);
    const reset = sender.send({ code: '2.05' }, PEER.address, PEER.port);
    const [first, second] = sent.map((b) => b.readUInt16BE(2));
    expect(sender.onDatagram(reply('ack', first ?? 0), { ...from, port: 9999 })).toBe(false);
    expect(sender.onDatagram(reply('ack', first ?? 0), from)).toBe(true);
    expect(sender.onDatagram(reply('rst', second ?? 0), from)).toBe(true);
    await expect(acked).resolves.toBe('acked');
    await expect(reset).resolves.toBe('reset');
    expect(sender.onDatagram(Buffer.from([0x40, 0x01, 0, 1]), from)).toBe(false); // a CON GET is not an answer
  });

  it('aborts what is in flight when closed, and sends nothing after', async () => {
    const { sender, sent } = setup();
    const waiting = sender.send({ code: '2.05' }, PEER.address, PEER.port);
    sender.close();
    await expect(waiting).resolves.toBe('aborted');
    await jest.advanceTimersByTimeAsync(10_000);
    expect(sent).toHaveLength(1);
    await expect(sender.send({ code: '2.05' }, PEER.address, PEER.port)).resolves.toBe('aborted');
    expect(sent).toHaveLength(1);
  });

  it('computes MAX_TRANSMIT_WAIT as RFC 7252 §4.8.2 does: 93 s for the defaults', () => {
    expect(maxTransmitWaitMs({ ackTimeoutMs: 2000, maxRetransmit: 4 })).toBe(93_000);
  });
});
