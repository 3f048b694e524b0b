import { DEFAULT_COMMAND_TEMPLATE } from '@fieldlink/gateway-core';
import { type ConfirmableSender } from './confirmable-sender';
import { CommandNotifier } from './command-notifier';

const from = { address: '127.0.0.1', port: 40000 };

describe(CommandNotifier.name, () => {
  it('holds at most maxObservers observations, ending the least recently registered; its commands then fail FL_COAP_NOT_OBSERVING', async () => {
    let evicted = 0;
    const sender = { send: () => Promise.resolve('acked') } as unknown as ConfirmableSender;
    const notifier = new CommandNotifier(sender, DEFAULT_COMMAND_TEMPLATE, { maxObservers: 2, onEvict: () => evicted++ });
    notifier.observe('a', from, Buffer.from('t1'));
    notifier.observe('b', from, Buffer.from('t2'));
    notifier.observe('a', from, Buffer.from('t3'));
    notifier.observe('c', from, Buffer.from('t4'));
    expect([notifier.observers, evicted]).toEqual([2, 1]);
    expect(await notifier.deliver({ schemaVersion: 1, id: 'c-b', deviceId: 'b', action: 'x' })).toMatchObject({ status: 'failed', code: 'FL_COAP_NOT_OBSERVING' });
    expect(await notifier.deliver({ schemaVersion: 1, id: 'c-a', deviceId: 'a', action: 'x' })).toEqual({ status: 'delivered' });
  });
});
