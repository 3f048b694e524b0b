import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_COMMAND_TEMPLATE } from '@fieldlink/gateway-core';
import pino from 'pino';
import { CommandNotifier } from './command-notifier';
import { type ConfirmableSender } from './confirmable-sender';
import { ObservationStore } from './observation-store';

const logger = pino({ level: 'silent' });
const from = { address: '127.0.0.1', port: 40000 };

/** A notifier whose observations go to a store in `dir`, and the notifications it sent. */
function notifierIn(dir: string, maxObservers = 10) {
  const sent: { token: Buffer; observe: number; port: number }[] = [];
  const sender = {
    send: (message: { token: Buffer; options: { name: string; value: Buffer }[] }, _address: string, port: number) => {
      const observe = message.options.find((o) => o.name === 'Observe')?.value ?? Buffer.alloc(0);
      sent.push({ token: message.token, observe: observe.length === 0 ? 0 : observe.readUIntBE(0, observe.length), port });
      return Promise.resolve('acked');
    },
  } as unknown as ConfirmableSender;
  const store = new ObservationStore(join(dir, 'coap-observations.json'), logger);
  const notifier: CommandNotifier = new CommandNotifier(sender, DEFAULT_COMMAND_TEMPLATE, { maxObservers, onEvict: () => undefined }, () => store.changed(() => notifier.snapshot()));
  notifier.restore(store.load());
  return { notifier, store, sent };
}

const command = (deviceId: string, id: string) => ({ schemaVersion: 1 as const, id, deviceId, action: 'open' });

describe(ObservationStore.name, () => {
  it('gives a restarted notifier the observations of the last run: same token and port, an Observe value ahead of the last one sent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'observations-'));
    const first = notifierIn(dir);
    first.notifier.observe('a', from, Buffer.from('t1'));
    first.notifier.observe('b', { ...from, port: 40001 }, Buffer.from('t2'));
    await first.notifier.deliver(command('a', 'c-1'));
    first.store.flush();

    const second = notifierIn(dir);
    expect(second.notifier.observers).toBe(2);
    expect(await second.notifier.deliver(command('b', 'c-2'))).toEqual({ status: 'delivered' });
    expect(await second.notifier.deliver(command('a', 'c-3'))).toEqual({ status: 'delivered' });
    const [before] = first.sent;
    const [toB, toA] = second.sent;
    expect([toB?.token.toString(), toB?.port, toA?.token.toString(), toA?.port]).toEqual(['t2', 40001, 't1', 40000]);
    expect((toA?.observe ?? 0) > (before?.observe ?? Infinity)).toBe(true);
  });

  it('saves a cancelled observation as gone, and writes many changes at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'observations-'));
    const first = notifierIn(dir, 1000);
    for (let i = 0; i < 100; i++) first.notifier.observe(`d-${i}`, from, Buffer.from([i]));
    first.notifier.cancel('d-7', from, Buffer.from([7]));
    const file = join(dir, 'coap-observations.json');
    // Written by the store's own timer, with no flush; the loop above ends before that timer can fire.
    const deadline = Date.now() + 5000;
    while (!existsSync(file) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { observations: { deviceId: string }[] };
    expect(saved.observations).toHaveLength(99);
    expect(saved.observations.some((o) => o.deviceId === 'd-7')).toBe(false);
  });

  it('starts empty, and says so, from a file it cannot understand, skips entries it cannot; a restore keeps at most maxObservers, the latest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'observations-'));
    writeFileSync(join(dir, 'coap-observations.json'), '{"version": 7}');
    expect(notifierIn(dir).notifier.observers).toBe(0);
    const good = { deviceId: 'ok', address: '127.0.0.1', port: 5683, token: 'a1b2', sequence: 3 };
    writeFileSync(join(dir, 'coap-observations.json'), JSON.stringify({ version: 1, observations: [good, { ...good, deviceId: 'bad', port: '5683' }, { ...good, deviceId: 'bad2', token: 'zz' }] }));
    expect(notifierIn(dir).notifier.snapshot().map((o) => o.deviceId)).toEqual(['ok']);

    const full = notifierIn(dir);
    for (let i = 0; i < 5; i++) full.notifier.observe(`d-${i}`, from, Buffer.from([i]));
    full.store.flush();
    expect(notifierIn(dir, 2).notifier.snapshot().map((o) => o.deviceId)).toEqual(['d-3', 'd-4']);
  });
});
