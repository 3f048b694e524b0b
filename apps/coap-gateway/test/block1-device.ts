import { randomBytes } from 'node:crypto';
import { type Socket, createSocket } from 'node:dgram';
import { type NamedOption, type ParsedPacket, generate, parse } from 'coap-packet';

const BLOCK_SIZE = 1024;
/** SZX 6: 1024-byte blocks (RFC 7959 §2.2), the largest over UDP. */
const SZX = 6;

export interface UploadAnswer {
  /** The final response code: 2.04 for a whole upload, 2.31 for one stopped on purpose, or the error that ended it. */
  code: string;
  maxAge?: number;
  blocks: number;
}

/**
 * A device on its own UDP endpoint that POSTs bodies in Block1 blocks of 1024 bytes (RFC 7959 §2.5)
 * over raw UDP, one block at a time, each a CON with a new message id and token (as libcoap does),
 * retransmitted on the RFC 7252 §4.2 schedule. Every block declares the whole size in Size1. A
 * separate response (the gateway waits for Kafka) is acknowledged, as a device must.
 */
export class Block1Device {
  private messageId = randomBytes(2).readUInt16BE(0);
  /** Requests waiting, by token; a separate response carries it. */
  private readonly waiting = new Map<string, { onAck: () => void; onResponse: (p: ParsedPacket) => void }>();
  /** The token of each message id waiting: an empty ACK carries no token. */
  private readonly tokens = new Map<number, string>();

  private constructor(
    private readonly socket: Socket,
    private readonly port: number,
    private readonly host: string,
  ) {
    socket.on('message', (message) => this.onMessage(message));
  }

  static async open(port: number, host = '127.0.0.1'): Promise<Block1Device> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new Block1Device(socket, port, host);
  }

  /** POSTs `body` to `path`; `stopAfterBlocks` abandons the upload after that many blocks, as a broken or hostile device does. */
  async post(path: string, body: Buffer, options: { contentFormat?: number; stopAfterBlocks?: number } = {}): Promise<UploadAnswer> {
    const count = Math.max(1, Math.ceil(body.length / BLOCK_SIZE));
    const last = Math.min(count, options.stopAfterBlocks ?? count);
    for (let num = 0; num < last; num++) {
      const more = num + 1 < count;
      const block = Buffer.alloc(3);
      block.writeUIntBE((num << 4) | (more ? 0x08 : 0) | SZX, 0, 3);
      const size1 = Buffer.alloc(4);
      size1.writeUInt32BE(body.length);
      const requestOptions: NamedOption[] = [
        ...path.split('/').filter(Boolean).map((segment): NamedOption => ({ name: 'Uri-Path', value: Buffer.from(segment) })),
        { name: 'Content-Format', value: Buffer.from([options.contentFormat ?? 50]) },
        { name: 'Block1', value: block },
        { name: 'Size1', value: size1 },
      ];
      const response = await this.request(requestOptions, body.subarray(num * BLOCK_SIZE, (num + 1) * BLOCK_SIZE));
      const maxAge = response.options.find((o) => o.name === 'Max-Age')?.value;
      const answer = { code: response.code, blocks: num + 1, ...(maxAge ? { maxAge: maxAge.length === 0 ? 0 : maxAge.readUIntBE(0, maxAge.length) } : {}) };
      if (response.code !== (more ? '2.31' : '2.04') || num + 1 === last) return answer;
    }
    throw new Error('unreachable: the loop returns at its last block');
  }

  close(): void {
    this.socket.close();
  }

  /** One CON request; resolves with its response, piggybacked or separate; rejects after the retransmissions. */
  private request(options: NamedOption[], payload: Buffer): Promise<ParsedPacket> {
    const token = randomBytes(4);
    this.messageId = (this.messageId + 1) & 0xffff;
    const messageId = this.messageId;
    const datagram = generate({ confirmable: true, code: 'POST', messageId, token, options, payload });
    return new Promise<ParsedPacket>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const key = token.toString('hex');
      const finish = (error: Error | undefined, response?: ParsedPacket) => {
        clearTimeout(timer);
        this.waiting.delete(key);
        this.tokens.delete(messageId);
        if (response) resolve(response);
        else reject(error ?? new Error('no response'));
      };
      const transmit = (attempt: number) => {
        this.socket.send(datagram, this.port, this.host);
        // ACK_TIMEOUT 2 s, doubled each time, MAX_RETRANSMIT 4 (RFC 7252 §4.8).
        timer = setTimeout(() => (attempt < 4 ? transmit(attempt + 1) : finish(new Error(`no answer to ${key} after 5 transmissions`))), 2000 * 2 ** attempt);
      };
      this.waiting.set(key, {
        // An empty ACK: the response comes separately, once the gateway has it (RFC 7252 §5.2.2).
        onAck: () => {
          clearTimeout(timer);
          timer = setTimeout(() => finish(new Error(`no separate response to ${key} within 60 s`)), 60_000);
        },
        onResponse: (response) => finish(undefined, response),
      });
      this.tokens.set(messageId, key);
      transmit(0);
    });
  }

  private onMessage(message: Buffer): void {
    const packet = parse(message);
    if (packet.confirmable) this.socket.send(generate({ ack: true, messageId: packet.messageId, code: '0.00' }), this.port, this.host);
    const key = packet.ack ? this.tokens.get(packet.messageId) : packet.token.toString('hex');
    const waiter = key === undefined ? undefined : this.waiting.get(key);
    if (!waiter) return;
    if (packet.ack && packet.code === '0.00') waiter.onAck();
    else waiter.onResponse(packet);
  }
}
