import { type Socket, createSocket } from 'node:dgram';
import { type ParsedPacket, generate, parse } from 'coap-packet';
import { GiveUp, readTopic, sharedInfra, waitFor } from '@fieldlink/testing';
import { CoapDevices } from './coap-devices';
import { type CoapGatewayUnderTest, startCoapGateway } from './support';

// node-coap gives up on an unacknowledged confirmable response after EXCHANGE_LIFETIME (247 s)
// and only then emits its error: the test has to wait that long to see the failure it guards against.
const WATCH_MS = 300_000;

describe('coap-gateway and a device that never acknowledges its answer', () => {
  let started: CoapGatewayUnderTest | undefined;
  let device: Socket | undefined;
  let others: CoapDevices | undefined;
  afterAll(async () => {
    device?.close();
    others?.close();
    await started?.gateway.stop();
  });

  it('is still the same running process 300 s later, answering other devices throughout', async () => {
    // A piggyback window of 0 ms makes every answer a separate confirmable response, as an answer
    // slower than the default 50 ms (Kafka or the spool's fsync taking its time) would be.
    const g = (started = await startCoapGateway(await sharedInfra(), { coap: { piggybackReplyMs: 0 } }));
    const pid = g.gateway.pid;
    others = await CoapDevices.open(g.coapPort, 1);

    const received: ParsedPacket[] = [];
    device = createSocket('udp4');
    device.on('message', (message) => received.push(parse(message)));
    await new Promise<void>((resolve) => device?.bind(0, '127.0.0.1', resolve));
    const token = Buffer.from('silent01');
    const path = [{ name: 'Uri-Path' as const, value: Buffer.from('sensors') }, { name: 'Uri-Path' as const, value: Buffer.from('silent-1') }];
    const post = generate({ confirmable: true, code: 'POST', token, messageId: 0x4321, options: path, payload: Buffer.from('{"temperature":21.5}') });
    device.send(post, g.coapPort, '127.0.0.1');
    const postedAt = Date.now();

    // The gateway acknowledges the request empty, then answers 2.04 in a CON of its own, and
    // retransmits it, since this device never acknowledges.
    const answers = (): ParsedPacket[] => received.filter((p) => p.confirmable && p.code === '2.04' && p.token.equals(token));
    await waitFor('the empty ACK and two copies of the separate 2.04', () => received.some((p) => p.ack && p.code === '0.00' && p.messageId === 0x4321) && answers().length >= 2, { timeoutMs: 30_000 });
    expect(new Set(answers().map((p) => p.messageId)).size).toBe(1);
    const stored = await readTopic(g.brokers, g.topic('telemetry'));
    expect(stored.filter((r) => r.key === 'silent-1')).toHaveLength(1);

    let probes = 0;
    // GiveUp: waitFor would otherwise retry past a failed probe.
    const probe = async (): Promise<void> => {
      const answer = await (others as CoapDevices).post(0, 'sensors/probe-1', JSON.stringify({ n: ++probes })).catch((err: Error) => ({ code: err.message }));
      if (answer.code !== '2.04') throw new GiveUp(`probe ${probes} was answered ${answer.code}\n${g.gateway.logs}`);
      if (!g.gateway.running || g.gateway.pid !== pid) throw new GiveUp(`the gateway is no longer process ${pid}\n${g.gateway.logs}`);
    };
    await waitFor(
      'node-coap to give up on the unacknowledged answer',
      async () => {
        await probe();
        return (await g.gateway.metric('fieldlink_coap_reply_failures_total', { reason: 'no-ack' })) === 1;
      },
      { timeoutMs: WATCH_MS - 20_000, intervalMs: 5000 },
    );
    await waitFor(`${WATCH_MS / 1000} s since the POST`, async () => {
      await probe();
      return Date.now() - postedAt >= WATCH_MS;
    }, { timeoutMs: WATCH_MS, intervalMs: 5000 });

    expect(g.gateway.running).toBe(true);
    expect(g.gateway.pid).toBe(pid);
    // Handled where it happens: the process-level safety net caught nothing, and liveness holds.
    expect(await g.gateway.metric('fieldlink_process_faults_total', { kind: 'exception' })).toBe(0);
    expect((await g.gateway.get('/health/live')).status).toBe(200);
    expect(g.gateway.logs).toContain('CoAP response not delivered');
  }, WATCH_MS + 120_000);
});
