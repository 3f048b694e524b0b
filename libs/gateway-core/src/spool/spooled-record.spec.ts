import { decodeSpooled, encodeSpooled, spoolKey } from './spooled-record';

describe(encodeSpooled.name, () => {
  it('keeps topic, key and value through a round trip, a Buffer value as its text', () => {
    const payload = encodeSpooled({ topic: 't', key: null, value: Buffer.from('{"id":"1"}') });
    expect(decodeSpooled(payload)).toEqual({ t: 't', k: null, v: '{"id":"1"}' });
    expect(decodeSpooled(encodeSpooled({ topic: 't', key: 'k', value: 'v' }))).toEqual({ t: 't', k: 'k', v: 'v' });
  });

  it('keys a record by topic and value, so one topic cannot pass for another', () => {
    expect(spoolKey('a', 'b')).toBe(spoolKey('a', 'b'));
    expect(spoolKey('a', 'bc')).not.toBe(spoolKey('ab', 'c'));
  });
});
