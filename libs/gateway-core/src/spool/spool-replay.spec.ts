import { type OutgoingRecord } from '@fieldlink/kafka';
import { sendSpooled } from './spool-replay';
import { encodeSpooled, spoolKey } from './spooled-record';

const entry = (value: string, writtenAt: number) => ({ payload: encodeSpooled({ topic: 't', key: 'k', value }), writtenAt });

describe(sendSpooled.name, () => {
  it('sends the batch oldest first, skipping expired records and those Kafka already has', async () => {
    const sent: OutgoingRecord[] = [];
    const { sends, landed } = sendSpooled([entry('old', 1), entry('a', 10), entry('landed', 11), entry('b', 12)], 5, new Set([spoolKey('t', 'landed')]), (record) => {
      sent.push(record);
      return Promise.resolve();
    });
    await Promise.all(sends);
    expect(sent).toEqual([
      { topic: 't', key: 'k', value: 'a' },
      { topic: 't', key: 'k', value: 'b' },
    ]);
    expect(landed).toEqual([spoolKey('t', 'landed')]);
  });
});

describe(`${sendSpooled.name} with corrupt entries`, () => {
  it('sends a dead letter in place of an entry that failed its checksum or is not a spooled record, and goes on with the rest', async () => {
    const sent: OutgoingRecord[] = [];
    const quarantined: string[] = [];
    const entries = [
      entry('a', 10),
      { payload: Buffer.from('torn frame bytes'), writtenAt: 10, corrupt: 'checksum mismatch' },
      { payload: Buffer.from('{"t":"t","k":"k","v"'), writtenAt: 10 },
      { payload: Buffer.from('{"t":1}'), writtenAt: 10 },
      entry('b', 10),
    ];
    const { sends, corrupt } = sendSpooled(
      entries,
      5,
      new Set(),
      (record) => {
        sent.push(record);
        return Promise.resolve();
      },
      (raw, reason) => {
        quarantined.push(reason);
        return { topic: 'dead-letter', key: null, value: raw.toString('base64') };
      },
    );
    await Promise.all(sends);
    expect(sent.map((r) => r.topic)).toEqual(['t', 'dead-letter', 'dead-letter', 'dead-letter', 't']);
    expect(sent[1]?.value).toBe(Buffer.from('torn frame bytes').toString('base64'));
    expect(quarantined[0]).toBe('checksum mismatch');
    expect(quarantined[1]).toMatch(/^not a spooled record: /);
    expect(quarantined[2]).toBe('not a spooled record (topic, key and value)');
    expect(corrupt).toHaveLength(3);
  });
});
