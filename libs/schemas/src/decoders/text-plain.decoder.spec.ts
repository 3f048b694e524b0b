import fc from 'fast-check';
import { SchemaErrorCode } from '../errors';
import { decodeTextPlain } from './index';
import { codeOf, isValueOrSchemaError } from './decode-error.spec-helper';


describe('decodeTextPlain', () => {
  it('reads a decimal as a number in the configured metric', () => {
    expect(decodeTextPlain(Buffer.from(' 21.5\n'), { metric: 'temperature' })).toEqual([{ values: { temperature: { value: 21.5 } } }]);
  });

  it('keeps other text as a string, so a state such as OPEN is not lost', () => {
    expect(decodeTextPlain(Buffer.from('OPEN'))).toEqual([{ values: { value: { value: 'OPEN' } } }]);
    expect(decodeTextPlain(Buffer.from('0x10'))).toEqual([{ values: { value: { value: '0x10' } } }]);
  });

  it.each([
    ['', SchemaErrorCode.NoMetrics],
    ['   ', SchemaErrorCode.NoMetrics],
    [Buffer.from([0xc3, 0x28]), SchemaErrorCode.InvalidUtf8],
    ['x'.repeat(5000), SchemaErrorCode.UnsupportedValue],
  ])('rejects %j with %s', (payload, code) => {
    expect(codeOf(() => decodeTextPlain(typeof payload === 'string' ? Buffer.from(payload) : payload))).toBe(code);
  });

  it('turns arbitrary bytes into one metric or a typed decode error, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        return isValueOrSchemaError(() => {
          const readings = decodeTextPlain(bytes);
          if (readings.length !== 1 || Object.keys(readings[0]?.values ?? {}).length !== 1) throw new Error('not one metric');
        });
      }),
      { numRuns: 2000 },
    );
  });
});
