import { type IncomingMessage, type OutgoingMessage } from 'coap';
import pino from 'pino';
import { Exchanges } from './exchanges';
import { type CoapReply } from './response';

function request(messageId: number, port = 5683, url = '/sensors/a'): IncomingMessage {
  return { rsinfo: { address: '127.0.0.1', port }, _packet: { messageId }, url } as unknown as IncomingMessage;
}

describe(Exchanges.name, () => {
  it('answers a retransmitted CON with the first one\'s reply instead of handling it again, and drains what is in flight', async () => {
    const finish: ((reply: CoapReply) => void)[] = [];
    const handle = jest.fn(() => new Promise<CoapReply>((resolve) => finish.push(resolve)));
    const answered: string[] = [];
    const exchanges = new Exchanges(handle, (_req, _res, reply) => answered.push(reply.code), pino({ level: 'silent' }));
    const res = {} as OutgoingMessage;
    exchanges.onRequest(request(7), res);
    exchanges.onRequest(request(7), res);
    exchanges.onRequest(request(7, 9999), res);
    expect(handle).toHaveBeenCalledTimes(2);
    const drained = exchanges.drain();
    finish.forEach((resolve) => resolve({ code: '2.04' }));
    await drained;
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toEqual(['2.04', '2.04', '2.04']);
  });

  it('answers 5.03 when handling fails, so the device sends again', async () => {
    const answered: CoapReply[] = [];
    const exchanges = new Exchanges(() => Promise.reject(new Error('Kafka went away')), (_req, _res, reply) => answered.push(reply), pino({ level: 'silent' }));
    exchanges.onRequest(request(1), {} as OutgoingMessage);
    await exchanges.drain();
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toEqual([{ code: '5.03', diagnostic: 'not stored; retry', maxAgeSeconds: 1 }]);
  });

  it('logs the path of a request it could not forward, never its query, which may carry the device token', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    const exchanges = new Exchanges(() => Promise.reject(new Error('Kafka went away')), () => undefined, logger);
    exchanges.onRequest(request(2, 5683, '/sensors/a?token=s3cret-pump'), {} as OutgoingMessage);
    await exchanges.drain();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('"path":"/sensors/a"');
    expect(lines[0]).not.toContain('s3cret-pump');
  });
});
