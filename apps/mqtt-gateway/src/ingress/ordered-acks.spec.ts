import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { OrderedAcks } from './ordered-acks';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

describe(OrderedAcks.name, () => {
  it('sends acks in arrival order even when Kafka confirms them out of order', () => {
    const sent: number[] = [];
    const acks = new OrderedAcks<number>((id) => sent.push(id));
    const [a, b, c] = [1, 2, 3].map((id) => acks.hold(id)) as [() => void, () => void, () => void];
    c();
    b();
    expect(sent).toEqual([]);
    a();
    expect(sent).toEqual([1, 2, 3]);
    expect(acks.pending).toBe(0);
  });

  it('never sends an ack from a closed connection on the next one', () => {
    const sent: number[] = [];
    const acks = new OrderedAcks<number>((id) => sent.push(id));
    const stale = acks.hold(7);
    acks.reset();
    const fresh = acks.hold(7);
    stale();
    expect(sent).toEqual([]);
    fresh();
    expect(sent).toEqual([7]);
  });

  it('lets go of an ack once it is sent, while later ones still wait', async () => {
    const acks = new OrderedAcks<object>(() => undefined);
    const sent = (() => {
      const packet = { cmd: 'puback', messageId: 1 };
      acks.hold(packet)();
      return new WeakRef(packet);
    })();
    acks.hold({ cmd: 'puback', messageId: 2 }); // still waiting for Kafka
    await new Promise((resolve) => setImmediate(resolve)); // a WeakRef holds its target until the job ends
    collectGarbage();
    expect(sent.deref()).toBeUndefined();
    expect(acks.pending).toBe(1);
  });
});
