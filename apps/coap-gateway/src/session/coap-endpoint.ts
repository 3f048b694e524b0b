import { type Socket, createSocket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import { type IncomingMessage, type OutgoingMessage } from 'coap';
import { type Logger } from '@fieldlink/service';
import { type BlockOption } from '../blockwise/block-option';
import { type CoapGatewayConfig } from '../config/coap-gateway.config';
import { GatewayCoapServer } from './coap-server';

/**
 * The gateway's UDP socket and the node-coap server on it. The gateway owns the socket:
 * command notifications go out on it and their ACKs come back to it.
 */
export class CoapEndpoint {
  private socket: Socket | undefined;
  private server: GatewayCoapServer | undefined;
  private bound = false;

  constructor(
    private readonly coap: CoapGatewayConfig['coap'],
    private readonly logger: Logger,
  ) {}

  get isBound(): boolean {
    return this.bound;
  }

  /** Binds the socket; whoever sends on it attaches before `serve`. */
  async bind(): Promise<Socket> {
    const { port, host } = this.coap;
    const socket = createSocket({ type: isIPv4(host) ? 'udp4' : 'udp6' });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    this.receiveBuffer(socket);
    this.socket = socket;
    return socket;
  }

  /**
   * Every device shares this one socket: a burst of blocks from many devices overflows the kernel's
   * default receive buffer (~208 KiB, about 90 datagrams), and each datagram lost costs its device
   * an ACK_TIMEOUT. The kernel caps the size at net.core.rmem_max, so the size it granted is logged.
   */
  private receiveBuffer(socket: Socket): void {
    const wanted = this.coap.receiveBufferBytes;
    try {
      socket.setRecvBufferSize(wanted);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, wanted }, 'CoAP receive buffer not enlarged');
    }
    // Linux reports twice what it granted (the kernel's bookkeeping share, socket(7)).
    const granted = socket.getRecvBufferSize() / (process.platform === 'linux' ? 2 : 1);
    const log = granted < wanted ? this.logger.warn.bind(this.logger) : this.logger.info.bind(this.logger);
    log({ wanted, granted }, granted < wanted ? 'CoAP receive buffer smaller than coap.receiveBufferBytes: raise net.core.rmem_max' : 'CoAP receive buffer set');
  }

  /** Starts answering requests on the bound socket. */
  serve(onRequest: (req: IncomingMessage, res: OutgoingMessage) => void): void {
    if (!this.socket) throw new Error('the CoAP socket is not bound');
    const server = new GatewayCoapServer({ piggybackReplyMs: this.coap.piggybackReplyMs }, this.coap.maxCachedReplies, onRequest);
    server.on('error', (err: Error) => this.logger.error({ err: err.message }, 'CoAP server error'));
    server.listen(this.socket);
    this.server = server;
    this.bound = true;
  }

  /** The request's Block1 option, which the server took off before node-coap saw it. */
  block1Of(req: IncomingMessage): BlockOption | 'invalid' | undefined {
    return this.server?.block1Of(req);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.socket ? this.socket.close(() => resolve()) : resolve()));
    this.bound = false;
  }
}
