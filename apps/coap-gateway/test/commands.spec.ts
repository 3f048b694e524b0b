import { type Socket, createSocket } from 'node:dgram';
import { type ParsedPacket, generate, parse } from 'coap-packet';
import { type ServiceProcess, command, produce, produceAll, resultsFor, settledResults, sharedInfra, waitFor } from '@fieldlink/testing';
import { type CoapGatewayUnderTest, coapClientObserve, coapClientPost, startCoapGateway } from './support';

const ACK_TIMEOUT_MS = 800;
/**
 * Retransmissions last at least 800 ms × (2^4 − 1) = 12 s. The drain test's late device answers
 * 0.5 s after the SIGTERM, which comes once both notifications are seen; under CI load the second
 * came more than 5.6 s (the window with 2) after the first, and the late one had given up.
 */
const MAX_RETRANSMIT = 3;
/** Well inside the retransmissions, so a command still unanswered at its end is cut off by the shutdown. */
const DRAIN_TIMEOUT_MS = 2000;

describe('coap-gateway commands over Observe (RFC 7641)', () => {
  let started: CoapGatewayUnderTest | undefined;
  let gateway: ServiceProcess | undefined;
  beforeAll(async () => {
    // Short RFC 7252 timing, so an unanswered notification gives up within 12 to 18 seconds.
    started = await startCoapGateway(await sharedInfra(), { coap: { ackTimeoutMs: ACK_TIMEOUT_MS, maxRetransmit: MAX_RETRANSMIT }, shutdown: { drainTimeoutMs: DRAIN_TIMEOUT_MS } });
    gateway = started.gateway;
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  const observers = (g: CoapGatewayUnderTest): Promise<number> => g.gateway.metric('fieldlink_coap_observers');

  it('sends a command produced with kcat to coap-client-notls observing /commands/{deviceId}: one delivered result', async () => {
    const g = started as CoapGatewayUnderTest;
    const observer = coapClientObserve(g.coapPort, 'commands/obs-1', 12);
    await waitFor('the observation', async () => (await observers(g)) === 1, { timeoutMs: 10_000 });
    const sent = command('obs-1', 'set-rate', { args: { hz: 2 } });
    await produce(g.brokers, g.topic('commands'), sent.deviceId, JSON.stringify(sent));
    const results = await settledResults(g, sent);
    expect(results.map((r) => [r.status, r.gateway])).toEqual([['delivered', g.root]]);
    // The device got the default template, as JSON (Content-Format 50).
    const printed = await observer.output;
    expect(printed).toContain(JSON.stringify({ id: sent.id, action: 'set-rate', args: { hz: 2 } }));
    // coap-client-notls cancels its observation when -s runs out.
    await waitFor('the observation to end', async () => (await observers(g)) === 0, { timeoutMs: 10_000 });
  });

  it('routes by the device registry: a device that only observed (never posted) gets its command', async () => {
    const g = started as CoapGatewayUnderTest;
    const observer = coapClientObserve(g.coapPort, 'commands/obs-quiet', 10);
    await waitFor('the observation', async () => (await observers(g)) === 1, { timeoutMs: 10_000 });
    const sent = command('obs-quiet', 'ping');
    await produce(g.brokers, g.topic('commands'), sent.deviceId, JSON.stringify(sent));
    expect((await settledResults(g, sent)).map((r) => r.status)).toEqual(['delivered']);
    expect(await observer.output).toContain(sent.id);
  });

  // coap#98: node-coap's own notifications retransmit but report nothing, and an unacknowledged
  // one silently ends the stream. The gateway sends command notifications itself; this pins down
  // what a device that stops acknowledging sees, and what the command's sender is told.
  /** A device that observes its command resource and then never acknowledges anything. */
  async function silentObserver(g: CoapGatewayUnderTest, deviceId: string, token: Buffer): Promise<{ device: Socket; received: ParsedPacket[] }> {
    const device = createSocket('udp4');
    const received: ParsedPacket[] = [];
    device.on('message', (message) => received.push(parse(message)));
    await new Promise<void>((resolve) => device.bind(0, '127.0.0.1', resolve));
    const register = generate({ confirmable: true, code: 'GET', token, messageId: 4242, options: [{ name: 'Observe', value: Buffer.alloc(0) }, { name: 'Uri-Path', value: Buffer.from('commands') }, { name: 'Uri-Path', value: Buffer.from(deviceId) }] });
    device.send(register, g.coapPort, '127.0.0.1');
    await waitFor('the registration answer', () => received.some((p) => p.code === '2.05'), { timeoutMs: 10_000 });
    return { device, received };
  }

  it('retransmits an unacknowledged notification MAX_RETRANSMIT times, then reports failed and ends the observation', async () => {
    const g = started as CoapGatewayUnderTest;
    const token = Buffer.from('0badc0de', 'hex');
    const { device, received } = await silentObserver(g, 'silent-1', token);
    try {
      expect(received[0]).toMatchObject({ ack: true, messageId: 4242, code: '2.05' });
      expect(received[0]?.options.some((o) => o.name === 'Observe')).toBe(true);

      const sent = command('silent-1', 'reboot');
      await produce(g.brokers, g.topic('commands'), sent.deviceId, JSON.stringify(sent));
      const results = await settledResults(g, sent);
      expect(results.map((r) => [r.status, r.code])).toEqual([['failed', 'FL_COAP_NO_ACK']]);
      const notifications = received.filter((p) => p.confirmable && p.payload.toString().includes(sent.id));
      expect(notifications).toHaveLength(1 + MAX_RETRANSMIT);
      expect(new Set(notifications.map((p) => p.messageId)).size).toBe(1);
      expect(notifications.every((p) => p.token.equals(token))).toBe(true);
      // The observation is gone: the marker command after it found no observer.
      expect(await observers(g)).toBe(0);
    } finally {
      device.close();
    }
  });

  it('answers a plain GET of the command resource with 4.00, and a device with no observation gets failed', async () => {
    const g = started as CoapGatewayUnderTest;
    expect((await coapClientPost(g.coapPort, 'commands/obs-2', Buffer.alloc(0), undefined, '127.0.0.1', 'get')).code).toBe('4.00');
    expect((await coapClientPost(g.coapPort, 'sensors/poster-1', Buffer.from('{"t":1}'), 50)).code).toBe('2.04');
    const sent = command('poster-1', 'reboot');
    await produce(g.brokers, g.topic('commands'), sent.deviceId, JSON.stringify(sent));
    expect((await settledResults(g, sent)).map((r) => [r.status, r.code])).toEqual([['failed', 'FL_COAP_NOT_OBSERVING']]);
  });

  // Last: it stops the gateway.
  it('on SIGTERM finishes the commands in hand first: an ACK that comes during the drain is delivered, one that never comes failed FL_COAP_SHUTDOWN; exits 0', async () => {
    const g = started as CoapGatewayUnderTest;
    const silent = await silentObserver(g, 'silent-2', Buffer.from('5107', 'hex'));
    const late = await silentObserver(g, 'late-1', Buffer.from('1a7e', 'hex'));
    try {
      const never = command('silent-2', 'reboot');
      const acked = command('late-1', 'reboot');
      // Together: both are in hand when the SIGTERM comes.
      await produceAll(g.brokers, g.topic('commands'), [acked, never].map((c) => [c.deviceId, JSON.stringify(c)]));
      const notificationOf = (received: ParsedPacket[], id: string) => received.find((p) => p.confirmable && p.payload.toString().includes(id));
      await waitFor('both notifications', () => notificationOf(silent.received, never.id) && notificationOf(late.received, acked.id), { timeoutMs: 30_000 });
      // The late device answers 0.5 s after the SIGTERM, while the gateway drains its commands.
      const ack = generate({ ack: true, code: '0.00', messageId: notificationOf(late.received, acked.id)?.messageId ?? 0, token: Buffer.alloc(0) });
      const answer = setTimeout(() => late.device.send(ack, g.coapPort, '127.0.0.1'), 500);
      try {
        expect(await g.gateway.stop()).toBe(0);
      } finally {
        clearTimeout(answer);
      }
      expect((await resultsFor(g, acked.id)).map((r) => [r.status, r.code])).toEqual([['delivered', undefined]]);
      expect((await resultsFor(g, never.id)).map((r) => [r.status, r.code])).toEqual([['failed', 'FL_COAP_SHUTDOWN']]);
    } finally {
      silent.device.close();
      late.device.close();
    }
  });
});
