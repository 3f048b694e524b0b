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
