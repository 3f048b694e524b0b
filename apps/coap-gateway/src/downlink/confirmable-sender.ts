import { type RemoteInfo } from 'node:dgram';
import { type Packet, generate } from 'coap-packet';

export interface TransmissionParameters {
  /** RFC 7252 §4.8 ACK_TIMEOUT; the first wait is ACK_TIMEOUT to ACK_TIMEOUT × ACK_RANDOM_FACTOR (1.5). */
  ackTimeoutMs: number;
  /** RFC 7252 §4.8 MAX_RETRANSMIT. */
  maxRetransmit: number;
}

export const ACK_RANDOM_FACTOR = 1.5;

/** RFC 7252 MAX_TRANSMIT_WAIT: the longest a confirmable message can wait for its ACK. */
export function maxTransmitWaitMs(p: TransmissionParameters): number {
  return p.ackTimeoutMs * (2 ** (p.maxRetransmit + 1) - 1) * ACK_RANDOM_FACTOR;
}

/** `aborted`: the sender was closed (the gateway stopping) before an answer came. */
export type TransmissionOutcome = 'acked' | 'reset' | 'timeout' | 'aborted';

export interface DatagramSocket {
  send(msg: Buffer, port: number, address: string, callback?: (error: Error | null) => void): void;
}

interface Pending {
  settle(outcome: TransmissionOutcome): void;
}

const TYPE_ACK = 2;
const TYPE_RST = 3;

/**
 * Sends confirmable messages with the RFC 7252 §4.2 retransmission schedule and reports how each
 * ended: ACKed, reset, or unanswered after MAX_RETRANSMIT retransmissions. node-coap's own
 * notifications (ObserveWriteStream) retransmit too, but tell the application nothing: an
 * unacknowledged one just ends the stream (coap#98), so a command could never be reported.
 *
 * Message ids come from coap-packet's counter, which node-coap's responses on the same socket
 * share, so an ACK for one of ours is never mistaken for one of node-coap's.
 */
export class ConfirmableSender {
  private readonly pending = new Map<string, Pending>();
  private closed = false;

  constructor(
    private readonly socket: DatagramSocket,
    private readonly timing: TransmissionParameters,
    private readonly random: () => number = Math.random,
  ) {}

  get inFlight(): number {
    return this.pending.size;
  }

  send(packet: Omit<Packet, 'confirmable' | 'ack' | 'reset' | 'messageId'>, address: string, port: number, onTransmit?: (attempt: number) => void): Promise<TransmissionOutcome> {
    if (this.closed) return Promise.resolve('aborted');
    const buffer = generate({ ...packet, confirmable: true });
    const key = keyOf(address, port, buffer.readUInt16BE(2));
    return new Promise<TransmissionOutcome>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      let attempt = 0;
      let waitMs = this.timing.ackTimeoutMs * (1 + this.random() * (ACK_RANDOM_FACTOR - 1));
      const settle = (outcome: TransmissionOutcome): void => {
        clearTimeout(timer);
        this.pending.delete(key);
        resolve(outcome);
      };
      const transmit = (): void => {
        onTransmit?.(attempt);
        try {
          // A send error (no route, buffer full) is a lost datagram: the retransmission covers it.
          this.socket.send(buffer, port, address, () => undefined);
        } catch {
          return settle('aborted'); // the socket is closed
        }
        timer = setTimeout(() => {
          if (this.closed) return settle('aborted');
          if (attempt >= this.timing.maxRetransmit) return settle('timeout');
          attempt += 1;
          waitMs *= 2;
          transmit();
        }, waitMs);
      };
      this.pending.set(key, { settle });
      transmit();
    });
  }

  /** Ends every transmission in flight as aborted and sends no more: before the socket closes. */
  close(): void {
    this.closed = true;
    for (const pending of [...this.pending.values()]) pending.settle('aborted');
  }

  /** Called with every datagram the socket receives; true when it answered one of ours. */
  onDatagram(message: Buffer, from: RemoteInfo): boolean {
    if (message.length < 4 || message[0] === undefined || message[0] >> 6 !== 1) return false;
    const type = (message[0] >> 4) & 0x03;
    if (type !== TYPE_ACK && type !== TYPE_RST) return false;
    const pending = this.pending.get(keyOf(from.address, from.port, message.readUInt16BE(2)));
    pending?.settle(type === TYPE_ACK ? 'acked' : 'reset');
    return pending !== undefined;
  }
}

function keyOf(address: string, port: number, messageId: number): string {
  return `${address}|${port}|${messageId}`;
}
