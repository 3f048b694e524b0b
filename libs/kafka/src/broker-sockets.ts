import net from 'node:net';
import tls from 'node:tls';
import { type ISocketFactory, type RequestTimeoutEvent } from 'kafkajs';
import { type KafkaLogger } from './kafka.options';

// kafkajs's own socket factory sets the same keep-alive.
const KEEP_ALIVE_DELAY_MS = 60_000;

/** What producers, consumers and admins have in common: a request-timeout event. */
export interface TimingOutClient {
  events: { REQUEST_TIMEOUT: string };
  on(eventName: string, listener: (event: RequestTimeoutEvent) => void): unknown;
}

/**
 * Opens kafkajs's sockets and keeps them by broker, so that a connection whose
 * request timed out can be closed.
 *
 * kafkajs retries a timed-out request on the same socket (kafkajs#919), each
 * attempt waiting the full request timeout, and our producer then retries the
 * batch again. When the path to the broker drops packets, or the broker vanished
 * without a FIN, that socket never answers again: the producer would wait until
 * the kernel gives up, about 15 minutes.
 * The Java client closes the connection on request.timeout.ms; so do we, and
 * kafkajs reconnects on its next attempt.
 */
export class BrokerSockets {
  private readonly open = new Map<string, Set<net.Socket>>();

  constructor(private readonly logger: KafkaLogger) {}

  readonly factory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
    const socket = ssl
      ? tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...ssl }, onConnect)
      : net.connect({ host, port }, onConnect);
    socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
    const broker = `${host}:${port}`;
    const sockets = this.open.get(broker) ?? new Set<net.Socket>();
    sockets.add(socket);
    this.open.set(broker, sockets);
    socket.once('close', () => {
      sockets.delete(socket);
      if (sockets.size === 0 && this.open.get(broker) === sockets) this.open.delete(broker);
    });
    return socket;
  };

  /** Closes the client's connections to a broker whenever one of its requests times out. */
  watch(client: TimingOutClient): void {
    client.on(client.events.REQUEST_TIMEOUT, ({ payload }) => this.drop(payload.broker, payload.apiName));
  }

  private drop(broker: string, request: string): void {
    const sockets = [...(this.open.get(broker) ?? [])];
    this.logger.warn({ broker, request, connections: sockets.length }, 'Kafka request timed out; closing the connection so the client reconnects');
    // An error (not a plain close) makes kafkajs fail what is in flight and mark the connection down.
    for (const socket of sockets) socket.destroy(new Error(`${request} request to ${broker} timed out`));
  }
}
