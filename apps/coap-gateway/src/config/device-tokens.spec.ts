import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ANY_DEVICE, DeviceTokens } from './device-tokens';

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'tokens-')), 'tokens');
  writeFileSync(path, text);
  return path;
}

describe(DeviceTokens.name, () => {
  it('checks a device token, and tells a missing token from an unknown device and a wrong token', () => {
    const tokens = DeviceTokens.load(file('# comment\n\npump-1  abc\nvalve-2 xyz # trailing\n'));
    expect(tokens.size).toBe(2);
    expect(tokens.check('pump-1', 'abc')).toBe('ok');
    expect(tokens.check('valve-2', 'xyz')).toBe('ok');
    expect(tokens.check('pump-1', 'xyz')).toBe('wrong_token');
    expect(tokens.check('pump-1', 'ab')).toBe('wrong_token');
    expect(tokens.check('nobody', 'abc')).toBe('unknown_device');
    expect(tokens.check(undefined, 'abc')).toBe('unknown_device');
    expect(tokens.check('pump-1', undefined)).toBe('missing_token');
    expect(tokens.check('pump-1', '')).toBe('missing_token');
  });

  it('tells whether a token is some device\'s, for a body that names its device before it is buffered', () => {
    const tokens = DeviceTokens.load(file('pump-1 abc\nvalve-2 xyz\n'));
    expect(tokens.check(ANY_DEVICE, 'abc')).toBe('ok');
    expect(tokens.check(ANY_DEVICE, 'xyz')).toBe('ok');
    expect(tokens.check(ANY_DEVICE, 'abd')).toBe('wrong_token');
    expect(tokens.check(ANY_DEVICE, undefined)).toBe('missing_token');
  });

  it('names the line of a malformed or repeated entry', () => {
    expect(() => DeviceTokens.load(file('pump-1\n'))).toThrow(/tokens:1: expected "<deviceId> <token>"/);
    expect(() => DeviceTokens.load(file('a 1\nb 2 3\n'))).toThrow(/tokens:2: expected/);
    expect(() => DeviceTokens.load(file('a 1\na 2\n'))).toThrow(/tokens:2: device "a" is listed twice/);
  });
});
