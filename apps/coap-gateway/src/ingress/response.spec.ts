import { CoreErrorCode } from '@fieldlink/gateway-core';
import { KafkaErrorCode } from '@fieldlink/kafka';
import { SchemaErrorCode } from '@fieldlink/schemas';
import { CoapErrorCode } from '../errors';
import { replyFor, responseCodeFor } from './response';

/** The prefix rules the table replaced, kept as the oracle: the table must answer every known code as they did. */
function prefixCodeFor(reason: string): string {
  if (reason === 'FL_DECODE_TOO_LARGE') return '4.13';
  if (reason === 'FL_DECODE_UNSUPPORTED_FORMAT') return '4.15';
  if (reason === 'FL_DECODE_INCOMPLETE') return '4.08';
  if (reason === 'FL_MAP_NO_ROUTE') return '4.04';
  if (reason.startsWith('FL_DECODE_') || reason.startsWith('FL_SCHEMA_') || reason.startsWith('FL_MAP_')) return '4.00';
  return '5.00';
}

const known = [...new Set([...Object.values(SchemaErrorCode), ...Object.values(CoreErrorCode), ...Object.values(KafkaErrorCode), ...Object.values(CoapErrorCode)])];

describe(responseCodeFor.name, () => {
  it('answers 4.05 for FL_METHOD_NOT_ALLOWED, which the prefix rules answered 5.00 and the adapter then overrode with 4.05', () => {
    expect(prefixCodeFor(CoapErrorCode.MethodNotAllowed)).toBe('5.00');
    expect(responseCodeFor(CoapErrorCode.MethodNotAllowed)).toBe('4.05');
  });

  it('answers 4.03 for FL_DEVICE_CLAIM_REFUSED, a code newer than the prefix rules', () => {
    expect(responseCodeFor(CoreErrorCode.DeviceClaimRefused)).toBe('4.03');
  });

  const newer: string[] = [CoapErrorCode.MethodNotAllowed, CoreErrorCode.DeviceClaimRefused];
  it.each(known.filter((code) => !newer.includes(code)))('answers %s as the prefix rules did', (code) => {
    expect(responseCodeFor(code)).toBe(prefixCodeFor(code));
  });

  it('enumerates FL_INTERNAL too, the reason of an error that carries no code', () => {
    expect(known).toContain('FL_INTERNAL');
  });

  it('answers a code in none of the lists 5.00, also one named like a known prototype property', () => {
    expect(responseCodeFor('FL_SOMETHING_NEW')).toBe('5.00');
    expect(responseCodeFor('constructor')).toBe('5.00');
  });
});

describe(replyFor.name, () => {
  it('answers a dead letter with its code and a diagnostic naming the reason', () => {
    expect(replyFor({ status: 'dead-lettered', code: 'FL_DECODE_TOO_LARGE', message: 'too big' })).toEqual({ code: '4.13', diagnostic: 'FL_DECODE_TOO_LARGE: too big' });
  });

  it('answers 2.04 once forwarded, and 5.03 with Max-Age in whole seconds when rejected', () => {
    expect(replyFor({ status: 'forwarded', records: 1, deviceId: 'd' })).toEqual({ code: '2.04' });
    expect(replyFor({ status: 'rejected', code: 'FL_SINK_FULL', message: 'spool full', retryAfterMs: 4500 })).toEqual({ code: '5.03', diagnostic: 'spool full', maxAgeSeconds: 5 });
  });
});
