import { type Socket, createSocket } from 'node:dgram';
import { Agent, type IncomingMessage, request } from 'coap';

export interface CoapAnswer {
  code: string;
  /** Max-Age in seconds, where the answer carries one (a 5.03). */
  maxAge?: number;
  latencyMs: number;
}

/**
 * Simulated constrained devices, each its own UDP endpoint, sending confirmable requests with
 * node-coap's client and its RFC 7252 retransmissions. One endpoint pair's message-id space
 * allows about 250 requests/s, so load comes from many devices.
 */
export class CoapDevices {
  private readonly agents: Agent[] = [];
  private readonly sockets: Socket[] = [];

  private constructor(
    private readonly port: number,
    private readonly host: string,
  ) {}

  static async open(port: number, count: number, host = '127.0.0.1'): Promise<CoapDevices> {
    const devices = new CoapDevices(port, host);
    for (let i = 0; i < count; i++) {
      const socket = createSocket('udp4');
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      // A socket of our own keeps one endpoint per device: node-coap closes its own between requests.
      devices.sockets.push(socket);
      devices.agents.push(new Agent({ socket }));
    }
    return devices;
  }

  get count(): number {
    return this.agents.length;
  }

  /** One CON POST from device `index`; rejects when no answer came through the retransmissions. */
  post(index: number, path: string, body: string | Buffer, contentFormat = 50): Promise<CoapAnswer> {
    return this.send(index, 'POST', path, body, contentFormat);
  }

  send(index: number, method: 'POST' | 'PUT', path: string, body: string | Buffer, contentFormat = 50): Promise<CoapAnswer> {
    const agent = this.agents[index];
    if (!agent) throw new Error(`no device ${index}`);
    const started = performance.now();
    return new Promise<CoapAnswer>((resolve, reject) => {
      const req = request({ hostname: this.host, port: this.port, pathname: path, method, confirmable: true, agent, contentFormat });
      req.on('response', (res: IncomingMessage) => {
        const maxAge = res.headers['Max-Age'];
        resolve({ code: res.code, latencyMs: performance.now() - started, ...(typeof maxAge === 'number' ? { maxAge } : {}) });
        res.resume();
      });
      req.on('timeout', (err: Error) => reject(err));
      req.on('error', (err: Error) => reject(err));
      req.end(body);
    });
  }

  close(): void {
    for (const agent of this.agents) agent.close();
    for (const socket of this.sockets) {
      try {
        socket.close();
      } catch {
        // node-coap's agent already closed it
      }
    }
  }
}
