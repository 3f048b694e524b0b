import { once } from 'node:events';
import { duplexPair } from 'node:stream';
import { waitFor } from '@fieldlink/testing';
import { GuardedStream, type ReadFilter } from './guarded-stream';

const upper: ReadFilter = { push: (chunk) => [Buffer.from(chunk.toString().toUpperCase())] };

function setup(filter: ReadFilter = upper) {
  const [socket, broker] = duplexPair();
  const stream = new GuardedStream(socket, filter);
  return { socket, broker, stream };
}

describe(GuardedStream.name, () => {
  it('reads the socket through the filter and writes to the socket as is', async () => {
    const { broker, stream } = setup();
    broker.write('abc');
    const [read] = (await once(stream, 'data')) as [Buffer];
    expect(read.toString()).toBe('ABC');
    stream.write('xyz');
    const [written] = (await once(broker, 'data')) as [Buffer];
    expect(written.toString()).toBe('xyz');
  });

  it('ends when the broker ends, ends the socket in turn, and closes', async () => {
    const { broker, socket, stream } = setup();
    broker.resume();
    stream.resume();
    const ended = Promise.all([once(stream, 'end'), once(broker, 'end'), once(stream, 'close')]);
    broker.end();
    await ended;
    expect(socket.writableEnded).toBe(true);
  });

  it('ends the socket when mqtt.js ends it', async () => {
    const { broker, socket, stream } = setup();
    broker.resume();
    const ended = once(broker, 'end');
    stream.end();
    await ended;
    expect(socket.writableEnded).toBe(true);
  });

  it("fails with the socket's error, and closes", async () => {
    const { broker, socket, stream } = setup();
    broker.on('error', () => undefined); // the in-memory pair fails both ends
    const failed = once(stream, 'error');
    const closed = new Promise((resolve) => stream.once('close', resolve)); // events.once would reject on the 'error'
    socket.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    const [error] = (await failed) as [Error & { code: string }];
    expect(error.code).toBe('ECONNRESET');
    await closed;
  });

  it('destroys the socket when mqtt.js destroys the stream, with no error', async () => {
    const { socket, stream } = setup();
    const errors: unknown[] = [];
    stream.on('error', (error) => errors.push(error));
    stream.destroy();
    await once(stream, 'close');
    expect(socket.destroyed).toBe(true);
    expect(errors).toEqual([]);
  });

  it("fails with the filter's error and destroys the socket", async () => {
    const refused = new Error('no MQTT');
    const { broker, socket, stream } = setup({
      push: () => {
        throw refused;
      },
    });
    const failed = once(stream, 'error');
    broker.write('x');
    expect(await failed).toEqual([refused]);
    expect(socket.destroyed).toBe(true);
  });

  it('stops reading the socket while mqtt.js does not read, and reads on when it does', async () => {
    const { broker, socket, stream } = setup({ push: (chunk) => [chunk] });
    const chunk = Buffer.alloc(64 * 1024);
    for (let i = 0; i < 4; i++) broker.write(chunk);
    await new Promise((resolve) => setImmediate(resolve));
    expect(socket.isPaused()).toBe(true);
    let read = 0;
    stream.on('data', (c: Buffer) => (read += c.length));
    await waitFor('everything read', () => read === 4 * chunk.length, { timeoutMs: 2000, intervalMs: 1 });
  });
});
