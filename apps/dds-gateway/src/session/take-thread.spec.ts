import { META_FIELDS, type RawTake, VALID } from './native-reader';
import { TakeThread, toSamples } from './take-thread';

function rawTake(samples: { text: string; valid: number; state?: number; id?: string; sourceNs?: number }[], unreadable: RawTake['unreadable'] = []): RawTake {
  const meta = new Float64Array(samples.length * META_FIELDS);
  samples.forEach((s, i) => meta.set([s.valid, s.state ?? 0, s.sourceNs ?? 0], i * META_FIELDS));
  return { json: samples.map((s) => s.text).join('\u0000'), ids: samples.map((s) => s.id ?? '').join('\u0000'), meta, unreadable };
}

describe('toSamples', () => {
  it('unpacks data, ids, source times, and the key of a sample without data', () => {
    const raw = rawTake([
      { text: '{"sensor_id":"a","t":1}', valid: VALID.data, id: 'dds-1', sourceNs: 5e18 },
      { text: '{"sensor_id":"b","t":0}', valid: VALID.noData, state: 1 },
    ]);
    expect(toSamples(raw, 'sensor_id', true)).toEqual([
      { instanceState: 'ALIVE', data: { sensor_id: 'a', t: 1 }, id: 'dds-1', sourceTimestampNs: 5e18 },
      { instanceState: 'NOT_ALIVE_DISPOSED', data: undefined, keyValue: 'b', sourceTimestampNs: 0 },
    ]);
    expect(toSamples(raw, 'sensor_id', false)[0]).not.toHaveProperty('sourceTimestampNs');
  });

  it('marks a sample Connext could not read, and one whose JSON does not parse, as unreadable, keeping the rest', () => {
    const raw = rawTake(
      [
        { text: '', valid: VALID.unreadable },
        { text: '{"sensor_id":', valid: VALID.data, id: 'dds-2' },
        { text: '{"sensor_id":"c"}', valid: VALID.data, id: 'dds-3' },
      ],
      [{ index: 0, reason: 'return code 5' }],
    );
    const [failed, broken, good] = toSamples(raw, 'sensor_id', false);
    expect(failed?.unreadable).toEqual({ reason: 'Connext could not read the sample: return code 5', raw: '' });
    expect(broken?.unreadable?.raw).toBe('{"sensor_id":');
    expect(broken?.unreadable?.reason).toMatch(/did not parse/);
    expect(good).toEqual({ instanceState: 'ALIVE', data: { sensor_id: 'c' }, id: 'dds-3' });
  });
});

describe('TakeThread', () => {
  it('reports a thread that could not start, and does not start it again for every take', async () => {
    // Under ts-jest there is no bundled take.worker.js beside this file: the thread cannot start.
    const takes = new TakeThread({ libraryDir: '/nonexistent', readers: {} });
    await expect(takes.take('Readings::SensorReadings', false)).rejects.toThrow(/could not start/);
    expect(takes.failure?.message).toMatch(/could not start/);
    await expect(takes.take('Readings::SensorReadings', true)).rejects.toBe(takes.failure);
    await takes.stop();
  });
});
