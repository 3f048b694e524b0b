import { Duplex } from 'node:stream';
import { type MqttClient } from 'mqtt';

/** Turns the bytes read from the broker into those mqtt.js parses (an OversizeGuard); throws to close the connection. */
export interface ReadFilter {
  push(chunk: Buffer): Buffer[];
}

/**
 * The stream mqtt.js talks to the broker through: what it writes goes to the socket as is, what it
 * reads is the socket's bytes through the filter. Errors, end, close and destroy go both ways, so
 * mqtt.js sees the connection's life as it would see the socket's.
 */
export class GuardedStream extends Duplex {
  private peerEnded = false;

  constructor(
    private readonly socket: Duplex,
    filter: ReadFilter,
  ) {
    // allowHalfOpen false: when the broker ends its side, ours ends too, as a net.Socket does by default.
    super({ allowHalfOpen: false });
    socket.on('data', (chunk: Buffer) => this.onData(filter, chunk));
    socket.on('end', () => {
      this.peerEnded = true;
      this.push(null);
    });
    socket.on('error', (err: Error) => this.destroy(err));
    // After a clean end, the bytes still queued here are read first; the end of reading then ends this stream.
    socket.on('close', () => {
      if (!this.peerEnded) this.destroy();
    });
  }

  private onData(filter: ReadFilter, chunk: Buffer): void {
    let bytes: Buffer[];
    try {
      bytes = filter.push(chunk);
    } catch (error) {
      this.destroy(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    for (const b of bytes) if (!this.push(b)) this.socket.pause();
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.send([chunk], callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.send(chunks.map((c) => c.chunk), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.socket.writableEnded || this.socket.destroyed) callback();
    // An error while ending reaches this stream through the socket's 'error'.
    else this.socket.end(() => callback());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy();
    callback(error);
  }

  private send(chunks: Buffer[], callback: () => void): void {
    this.socket.cork();
    let flowing = true;
    for (const chunk of chunks) flowing = this.socket.write(chunk);
    this.socket.uncork();
    if (flowing) callback();
    else this.socket.once('drain', callback);
  }
}

type StreamBuilder = (client: MqttClient) => Duplex;

/**
 * Makes every connection of `client`, reconnections included, read through a fresh filter: mqtt.js
 * builds each connection's stream with `client.streamBuilder` (MqttClient.connect()). Call it
 * before the first `client.connect()`, i.e. on a client made with `manualConnect`.
 */
export function filterIncoming(client: MqttClient, newFilter: () => ReadFilter): void {
  const target = client as unknown as { streamBuilder: StreamBuilder };
  const build = target.streamBuilder;
  target.streamBuilder = (c) => new GuardedStream(build(c), newFilter());
}
