import fc from 'fast-check';
import { dateTimeMillis, isDateTime, isoString } from './date-time';

const anyDate = fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true });

describe(dateTimeMillis.name, () => {
  it('reads every timestamp Date.prototype.toISOString writes as the same instant', () => {
    fc.assert(fc.property(anyDate, (d) => dateTimeMillis(d.toISOString()) === d.getTime()));
  });

  it('agrees with Date.parse on offsets, lower case and long fractions', () => {
    const offset = fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }));
    fc.assert(
      fc.property(anyDate, offset, fc.integer({ min: 0, max: 999_999 }), (d, [sign, h, m], micros) => {
        const two = (n: number) => String(n).padStart(2, '0');
        const text = `${d.toISOString().slice(0, 19)}.${String(micros).padStart(6, '0')}${sign}${two(h)}:${two(m)}`;
        return dateTimeMillis(text) === Date.parse(text) && dateTimeMillis(text.toLowerCase()) === Date.parse(text);
      }),
    );
  });

  it('counts a leap second as the first second of the next minute', () => {
    expect(dateTimeMillis('2016-12-31T23:59:60Z')).toBe(Date.parse('2017-01-01T00:00:00Z'));
  });

  it.each(['yesterday', '2026-01-01', '2026-13-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T00:00:00', '2026-01-01T00:00:00.Z', '2026-01-01T00:00:00+0100', '2026-01-01T00:00:00Zjunk'])(
    'rejects %s',
    (text) => {
      expect(dateTimeMillis(text)).toBeNaN();
      expect(isDateTime(text)).toBe(false);
    },
  );
});

describe('isoString', () => {
  it('formats each instant as toISOString does, also when the same one comes again', () => {
    const instants = [0, 1_732_300_000_123, 1_732_300_000_123, 1_732_300_000_124, 1_732_300_000_005, 1_732_300_000_050, 1_732_300_000_999, 1_732_300_001_000, -1, -999, -1000, 253_402_300_799_999, 253_402_300_800_000, 253_402_300_800_001];
    for (const millis of instants) expect(isoString(new Date(millis))).toBe(new Date(millis).toISOString());
  });

  it('formats every millisecond of two seconds, in and out of order, as toISOString does', () => {
    const base = 1_764_547_200_000;
    const instants = Array.from({ length: 2000 }, (_, i) => base + ((i * 7919) % 2000));
    for (const millis of instants) expect(isoString(new Date(millis))).toBe(new Date(millis).toISOString());
  });

  it('throws for an invalid date, as toISOString does', () => {
    expect(() => isoString(new Date(NaN))).toThrow(RangeError);
  });
});
