import { OrderedAcks } from './ordered-acks';

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
});
