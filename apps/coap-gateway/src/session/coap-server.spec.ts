import { type Socket, createSocket } from 'node:dgram';
import { Agent, type IncomingMessage, request } from 'coap';
import { type ParsedPacket, generate, parse } from 'coap-packet';
import { waitFor } from '@fieldlink/testing';
import { GatewayCoapServer } from './coap-server';

async function udpSocket(): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return socket;
}

/** One CON POST from node-coap's client on `agent`: the response code. */
function post(agent: Agent, port: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const req = request({ hostname: '127.0.0.1', port, pathname: '/x', method: 'POST', confirmable: true, agent });
    req.on('response', (res: IncomingMessage) => resolve(res.code));
    req.on('error', reject);
    req.end('{}');
  });
}

describe(GatewayCoapServer.name, () => {
  let server: GatewayCoapServer | undefined;
  let client: Socket | undefined;
  let silent: Socket | undefined;
  let serverSide: Socket | undefined;
  afterEach(async () => {
    client?.close();
    silent?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    // node-coap does not close a socket it was given.
    serverSide?.close();
    server = client = silent = serverSide = undefined;
  });

  it('keeps at most maxCachedReplies answers for retransmissions, however many requests it answered, and no sender for an ACK', async () => {
    const s = (server = new GatewayCoapServer({ piggybackReplyMs: 50 }, 20, (_req, res) => {
      res.code = '2.04';
      res.end();
    }));
    const serverSocket = (serverSide = await udpSocket());
    s.listen(serverSocket);
    const port = serverSocket.address().port;
    const agent = new Agent({ socket: (client = await udpSocket()) });
    for (let i = 0; i < 100; i++) expect(await post(agent, port)).toBe('2.04');
    // node-coap's own bound (32 MiB of datagrams) would have kept all 100.
    expect(s._lru.size).toBe(20);
    // Piggybacked ACKs are never retransmitted: their senders (and the exchanges their timers kept) are let go.
    const cached = [...s._lru.values()] as { sender?: unknown }[];
    expect(cached.filter((reply) => reply.sender !== undefined)).toEqual([]);
  });

  /** A separate CON response a silent device never acknowledges, pushed out of a cache of two by three newer answers. */
  async function evictUnacknowledgedResponse() {
    // The first request is answered late (a separate CON response); the others at once.
    let first = true;
    const errors: Error[] = [];
    const s = (server = new GatewayCoapServer({ piggybackReplyMs: 0 }, 2, (_req, res) => {
      // As the gateway's reply writer does: node-coap emits 'error' after the last retransmission.
      res.on('error', (err: Error) => errors.push(err));
      const late = first;
      first = false;
      setTimeout(() => {
        res.code = '2.04';
        res.end();
      }, late ? 50 : 0);
    }));
    const serverSocket = (serverSide = await udpSocket());
    s.listen(serverSocket);
    const port = serverSocket.address().port;
    // A device that sends one CON request and never acknowledges what comes back.
    const device = (silent = await udpSocket());
    const received: { packet: ParsedPacket; at: number }[] = [];
    device.on('message', (message) => received.push({ packet: parse(message), at: Date.now() }));
    device.send(generate({ confirmable: true, code: 'POST', messageId: 7, token: Buffer.from([1, 2]), options: [{ name: 'Uri-Path', value: Buffer.from('x') }], payload: Buffer.from('{}') }), port, '127.0.0.1');
    const responses = () => received.filter(({ packet }) => packet.confirmable && packet.code === '2.04');
    await waitFor('the separate response', () => responses().length === 1, { timeoutMs: 5000, intervalMs: 10 });
    const agent = new Agent({ socket: (client = await udpSocket()) });
    for (let i = 0; i < 3; i++) expect(await post(agent, port)).toBe('2.04');
    expect(s._lru.size).toBe(2);
    return { server: s, responses, errors };
  }

  it('goes on retransmitting a separate response the device has not acknowledged when newer answers push it out of the cache', async () => {
    const { responses } = await evictUnacknowledgedResponse();
    // RFC 7252 §4.2: retransmitted after ACK_TIMEOUT (2 to 3 s), with the same message id.
    await waitFor('a retransmission of the separate response', () => responses().length >= 2, { timeoutMs: 6000, intervalMs: 50 });
    expect(new Set(responses().map(({ packet }) => packet.messageId)).size).toBe(1);
  });

  it('stops retransmitting evicted responses when it is closed, so none outlives the server', async () => {
    const { server: s, responses, errors } = await evictUnacknowledgedResponse();
    await new Promise<void>((resolve) => s.close(() => resolve()));
    server = undefined;
    // Absence can only be watched for: the first retransmission is due at most ACK_TIMEOUT ×
    // ACK_RANDOM_FACTOR = 3 s after the response (RFC 7252 §4.8); watch until then and a little more.
    const due = (responses()[0]?.at ?? 0) + 3500;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
    expect(responses()).toHaveLength(1);
    expect(errors).toEqual([]);
  });
});
