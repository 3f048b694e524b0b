import { type OutgoingRecord } from '@fieldlink/kafka';
import { DirectSends } from './direct-sends';

/** A producer whose sends stay open until the test settles them. */
function heldProducer() {
  const held: { record: OutgoingRecord; resolve: () => void; reject: (error: unknown) => void }[] = [];
  const send = (record: OutgoingRecord) => new Promise<void>((resolve, reject) => held.push({ record, resolve, reject }));
  return { held, send };
}

const record = (value: string): OutgoingRecord => ({ topic: 't', key: 'k', value });
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe(DirectSends.name, () => {
  it('resolves a send once Kafka has it', async () => {
    const producer = heldProducer();
    const direct = new DirectSends(producer, () => Promise.resolve(), () => undefined);
    const sent = direct.send(record('a'));
    expect(direct.size).toBe(1);
    producer.held[0]?.resolve();
    await sent;
    expect(direct.size).toBe(0);
  });

  it('resolves a moved send once the spool has it, and reports its producer copy landing later', async () => {
    const producer = heldProducer();
    const spooled: string[] = [];
    const landed: string[] = [];
    const direct = new DirectSends(
      producer,
      (r) => {
        spooled.push(String(r.value));
        return Promise.resolve();
      },
      (r) => landed.push(String(r.value)),
    );
    const sends = [direct.send(record('a')), direct.send(record('b'))];
    direct.moveToSpool();
    await Promise.all(sends);
    expect({ spooled, size: direct.size }).toEqual({ spooled: ['a', 'b'], size: 0 });
    producer.held[1]?.resolve();
    await tick();
    expect(landed).toEqual(['b']);
  });

  it('rejects a send that Kafka fails, as an Error', async () => {
    const producer = heldProducer();
    const direct = new DirectSends(producer, () => Promise.resolve(), () => undefined);
    const sent = direct.send(record('a'));
    producer.held[0]?.reject('refused');
    await expect(sent).rejects.toThrow('refused');
  });
});
