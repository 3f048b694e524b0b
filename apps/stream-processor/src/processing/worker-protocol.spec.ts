import { type ConsumedRecord } from '@fieldlink/kafka';
import { pack, unpack } from './worker-protocol';

describe('worker batches', () => {
  it('unpack(pack(records)) gives the records back, empty and missing values included', () => {
    const records: ConsumedRecord[] = [
      { topic: 't', partition: 3, offset: '10', key: 'a', value: Buffer.from('{"x":1}'), headers: {}, timestamp: 1000 },
      { topic: 't', partition: 3, offset: '12', key: null, value: null, headers: {}, timestamp: 1001 },
      { topic: 't', partition: 3, offset: '13', key: 'b', value: Buffer.from('é'), headers: {}, timestamp: 1002 },
    ];
    const back = unpack(pack(records));
    expect(back.map((r) => ({ ...r, value: r.value?.toString() }))).toEqual(records.map((r) => ({ ...r, value: r.value?.toString() ?? '' })));
  });
});
