import { batchLength, messagesByTopic, type OutgoingRecord, recordBytes } from './outgoing-record';

const queued = (...values: string[]): { record: OutgoingRecord }[] => values.map((value) => ({ record: { topic: 't', key: null, value } }));

describe(recordBytes.name, () => {
  it('counts key, value and headers in bytes, plus the framing', () => {
    const bare = recordBytes({ topic: 't', key: null, value: '' });
    expect(recordBytes({ topic: 't', key: 'kk', value: 'é', headers: { h: 'vv' } })).toBe(bare + 2 + 2 + 1 + 2);
  });
});

describe(batchLength.name, () => {
  it('takes the oldest records up to maxBatchRecords and maxBatchBytes', () => {
    const size = recordBytes({ topic: 't', key: null, value: 'xxxx' });
    const queue = queued('xxxx', 'xxxx', 'xxxx', 'xxxx');
    expect(batchLength(queue, { maxBatchRecords: 3, maxBatchBytes: Infinity })).toBe(3);
    expect(batchLength(queue, { maxBatchRecords: 10, maxBatchBytes: 2 * size })).toBe(2);
    expect(batchLength([], { maxBatchRecords: 10, maxBatchBytes: 2 * size })).toBe(0);
  });

  it('still sends a single record over maxBatchBytes, alone', () => {
    expect(batchLength(queued('x'.repeat(100), 'y'), { maxBatchRecords: 10, maxBatchBytes: 10 })).toBe(1);
  });
});

describe(messagesByTopic.name, () => {
  it('groups the batch by topic, keeping each topic in batch order', () => {
    const batch = [
      { record: { topic: 'a', key: 'k1', value: '1' } },
      { record: { topic: 'b', key: null, value: '2', headers: { h: 'v' } } },
      { record: { topic: 'a', key: 'k3', value: '3' } },
    ];
    expect([...messagesByTopic(batch)]).toEqual([
      [
        'a',
        [
          { key: 'k1', value: '1', headers: undefined },
          { key: 'k3', value: '3', headers: undefined },
        ],
      ],
      ['b', [{ key: null, value: '2', headers: { h: 'v' } }]],
    ]);
  });
});
