import { toReading } from '@fieldlink/gateway-core';
import { SchemaErrorCode } from '@fieldlink/schemas';
import { type ReaderConfig } from '../config/dds-gateway.config';
import { type DdsSample } from '../session/dds-sample';
import { deviceIdOf, deviceIdOfSample, mapSample } from './sample-mapper';

const reader: ReaderConfig = { name: 'sensors', reader: 'Readings::SensorReadings', topic: 'SensorReadings', deviceIdField: 'sensor_id', eventTime: { field: 'timestamp', unit: 'ms' } };

function sample(data: DdsSample['data'], extra: Partial<DdsSample> = {}): DdsSample {
  return { data, instanceState: 'ALIVE', id: 'dds-0123', ...extra };
}

describe('mapSample', () => {
  it('maps the seed SensorData: deviceId from the key, the other numbers as metrics, timestamp as event time', () => {
    const mapped = mapSample(reader, sample({ sensor_id: 'sensor-7', temperature: 21.5, humidity: 40, timestamp: 1764547200000 }));
    expect(mapped).toMatchObject({ ok: true, deviceId: 'sensor-7' });
    if (!mapped.ok) throw mapped.error;
    const reading = toReading(mapped.readings[0] ?? { values: {} });
    expect(reading.values).toEqual({ temperature: { value: 21.5 }, humidity: { value: 40 } });
    expect(reading.eventTime?.toISOString()).toBe('2025-12-01T00:00:00.000Z');
  });

  it('flattens nested structs and sequences, and leaves out a nested deviceId and event time', () => {
    const nested: ReaderConfig = { ...reader, deviceIdField: 'header.id', eventTime: { field: 'header.stamp', unit: 's' } };
    const mapped = mapSample(nested, sample({ header: { id: 'arm-1', stamp: 1764547200, frame: 'base' }, joints: [{ angle: 0.5 }, { angle: 1 }] }));
    if (!mapped.ok) throw mapped.error;
    expect(mapped.deviceId).toBe('arm-1');
    const reading = toReading(mapped.readings[0] ?? { values: {} });
    expect(Object.keys(reading.values).sort()).toEqual(['header.frame', 'joints[0].angle', 'joints[1].angle']);
    expect(reading.eventTime?.getTime()).toBe(1764547200000);
  });

  it('takes only the configured metrics, and fails naming a missing one', () => {
    const chosen = mapSample({ ...reader, metrics: ['temperature'] }, sample({ sensor_id: 's', temperature: 1, humidity: 2, timestamp: 0 }));
    if (!chosen.ok) throw chosen.error;
    expect(Object.keys(chosen.readings[0]?.values ?? {})).toEqual(['temperature']);
    const missing = mapSample({ ...reader, metrics: ['pressure'] }, sample({ sensor_id: 's', temperature: 1, timestamp: 0 }));
    expect(missing).toMatchObject({ ok: false, deviceId: 's', error: { code: SchemaErrorCode.UnsupportedValue, message: 'metric field "pressure" is not in the sample' } });
  });

  it.each([
    ['a string', 'yesterday', '"yesterday" (string)'],
    ['missing', undefined, 'missing'],
    ['a sequence', [1, 2], '[1,2] (a sequence)'],
  ])('refuses an event-time field that is %s', (_what, value, found) => {
    const data = { sensor_id: 's', temperature: 1, ...(value === undefined ? {} : { timestamp: value }) };
    const mapped = mapSample(reader, sample(data));
    expect(mapped).toMatchObject({ ok: false, error: { code: SchemaErrorCode.BadTimestamp } });
    if (!mapped.ok) expect(mapped.error.message).toBe(`event-time field "timestamp" is ${found}, not an epoch time in ms`);
  });

  it('uses the source timestamp, or none, when configured so', () => {
    const source = mapSample({ ...reader, eventTime: 'source' }, sample({ sensor_id: 's', temperature: 1 }, { sourceTimestampNs: 1764547200123456789 }));
    if (!source.ok) throw source.error;
    expect(source.readings[0]?.sourceTime?.toISOString()).toBe('2025-12-01T00:00:00.123Z');
    const receive = mapSample({ ...reader, eventTime: 'receive' }, sample({ sensor_id: 's', temperature: 1, timestamp: 5 }));
    if (!receive.ok) throw receive.error;
    expect(receive.readings[0]?.sourceTime).toBeUndefined();
    expect(receive.readings[0]?.values).toHaveProperty('timestamp');
  });
});

describe('deviceIdOf and the id', () => {
  it('takes a non-empty string or an integer key, nothing else', () => {
    expect(deviceIdOf({ k: 'a' }, 'k')).toBe('a');
    expect(deviceIdOf({ k: 17 }, 'k')).toBe('17');
    expect(deviceIdOf({ k: '' }, 'k')).toBeUndefined();
    expect(deviceIdOf({ k: 1.5 }, 'k')).toBeUndefined();
    expect(deviceIdOf({ k: true }, 'k')).toBeUndefined();
    expect(deviceIdOf({}, 'k')).toBeUndefined();
    expect(deviceIdOfSample({ data: { h: { k: 'a' } }, instanceState: 'ALIVE' }, 'h.k')).toBe('a');
    expect(deviceIdOfSample({ data: undefined, keyValue: 'b', instanceState: 'NOT_ALIVE_DISPOSED' }, 'h.k')).toBe('b');
    expect(deviceIdOfSample({ data: undefined, instanceState: 'NOT_ALIVE_NO_WRITERS' }, 'h.k')).toBeUndefined();
  });

  it('gives the envelope the id taken with the sample', () => {
    expect(mapSample(reader, sample({ sensor_id: 's', temperature: 1, timestamp: 0 }))).toMatchObject({ ok: true, id: 'dds-0123' });
    expect(mapSample(reader, sample({ sensor_id: 's', temperature: 1, timestamp: 0 }, { id: undefined }))).toMatchObject({ ok: true, id: undefined });
  });
});
