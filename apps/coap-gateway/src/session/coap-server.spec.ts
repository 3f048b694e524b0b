import { type Socket, createSocket } from 'node:dgram';
import { Agent, type IncomingMessage, request } from 'coap';
import { GatewayCoapServer } from './coap-server';

describe(GatewayCoapServer.name, () => {
  let server: GatewayCoapServer | undefined;
  let client: Socket | undefined;
  afterEach(async () => {
    client?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it('keeps at most maxCachedReplies answers for retransmissions, however many requests it answered, and no sender for an ACK', async () => {
    const s = (server = new GatewayCoapServer({ piggybackReplyMs: 50 }, 20, (_req, res) => {
      res.code = '2.04';
      res.end();
    }));
    const serverSocket = createSocket('udp4');
    await new Promise<void>((resolve) => serverSocket.bind(0, '127.0.0.1', () => resolve()));
    s.listen(serverSocket);
    const port = serverSocket.address().port;
    const socket = (client = createSocket('udp4'));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    const agent = new Agent({ socket });
    for (let i = 0; i < 100; i++) {
      const code = await new Promise<string>((resolve, reject) => {
        const req = request({ hostname: '127.0.0.1', port, pathname: '/x', method: 'POST', confirmable: true, agent });
        req.on('response', (res: IncomingMessage) => resolve(res.code));
        req.on('error', reject);
        req.end('{}');
      });
      expect(code).toBe('2.04');
    }
    // node-coap's own bound (32 MiB of datagrams) would have kept all 100.
    expect(s._lru.size).toBe(20);
    // Piggybacked ACKs are never retransmitted: their senders (and the exchanges their timers kept) are let go.
    const cached = [...s._lru.values()] as { sender?: unknown }[];
    expect(cached.filter((reply) => reply.sender !== undefined)).toEqual([]);
  });
});
