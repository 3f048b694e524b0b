import net from 'node:net';

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
}

/**
 * A TCP relay on 127.0.0.1 whose `stall()` makes every connection open at that moment go silent
 * for good (bytes are held, the sockets stay open, nothing is closed), while connections opened
 * afterwards relay normally. That is a peer that vanished without a FIN, seen from a client
 * whose replacement peer is reachable: only a client that gives up on the old connection recovers.
 * Toxiproxy cannot do this: its toxics act on every connection of a proxy alike.
 */
export class StallingRelay {
  private readonly live = new Set<Pair>();
  private readonly stalled: Pair[] = [];
  private readonly server = net.createServer((client) => this.relay(client));
  private listenPort = 0;

  private constructor(private readonly upstreamPort: number) {}

  static async start(upstreamPort: number, listenPort = 0): Promise<StallingRelay> {
    const relay = new StallingRelay(upstreamPort);
    await new Promise<void>((resolve) => relay.server.listen(listenPort, '127.0.0.1', resolve));
    relay.listenPort = (relay.server.address() as net.AddressInfo).port;
    return relay;
  }

  get port(): number {
    return this.listenPort;
  }

  get address(): string {
    return `127.0.0.1:${this.listenPort}`;
  }

  /** Connections open now stop passing bytes in both directions; returns how many. */
  stall(): number {
    for (const pair of this.live) {
      pair.client.unpipe(pair.upstream);
      pair.upstream.unpipe(pair.client);
      pair.client.pause();
      pair.upstream.pause();
      this.stalled.push(pair);
    }
    this.live.clear();
    return this.stalled.length;
  }

  async dispose(): Promise<void> {
    for (const { client, upstream } of [...this.live, ...this.stalled]) {
      client.destroy();
      upstream.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: net.Socket): void {
    const upstream = net.connect({ host: '127.0.0.1', port: this.upstreamPort });
    const pair = { client, upstream };
    this.live.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    const close = () => {
      this.live.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  }
}
