import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { decodeSparkplug, encodeSparkplug } from './codec';

describe('Sparkplug B codec', () => {
  it('is generated from the sparkplug_b.proto beside it (tools/codegen/sparkplug-descriptor.mjs --check)', () => {
    expect(() => execFileSync(process.execPath, [join(__dirname, '../../../../tools/codegen/sparkplug-descriptor.mjs'), '--check'], { stdio: 'pipe' })).not.toThrow();
  });

  it('round-trips 64-bit values exactly', () => {
    const payload = { timestamp: '1700000000000', seq: '255', metrics: [{ name: 'big', alias: '18446744073709551615', datatype: 8, long_value: '18446744073709551615' }] };
    expect(decodeSparkplug(encodeSparkplug(payload))).toEqual(payload);
  });

  it('throws on bytes that are no protobuf', () => {
    expect(() => decodeSparkplug(Buffer.from('{"temperature": 21}'))).toThrow();
  });
});
