import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Counter, Registry } from 'prom-client';
import { DeviceTokens } from '../config/device-tokens';
import { DeviceAuth } from './device-auth';

function auth(): { auth: DeviceAuth; lines: string[] } {
  const file = join(mkdtempSync(join(tmpdir(), 'tokens-')), 'tokens');
  writeFileSync(file, 'pump-1 s3cret-pump\n');
  const failures = new Counter({ name: 'auth_failures', help: 'h', labelNames: ['reason'], registers: [new Registry()] });
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
  return { auth: new DeviceAuth(DeviceTokens.load(file), 'token', failures, logger, 65001), lines };
}

const none = new URLSearchParams();
const option = (value: string, name: string | number = '65001') => [{ name: 'Uri-Path', value: Buffer.from('sensors') }, { name, value: Buffer.from(value) }];

describe(DeviceAuth.name, () => {
  it('takes the token from the configured CoAP option', () => {
    const { auth: a } = auth();
    expect(a.check('pump-1', none, option('s3cret-pump'))).toBeUndefined();
    expect(a.check('pump-1', none, option('s3cret-pump', 65001))).toBeUndefined();
    expect(a.check('pump-1', none, option('wrong'))?.code).toBe('4.01');
    expect(a.check('pump-1', none, option('s3cret-pump', '65003'))?.code).toBe('4.01');
  });

  it('still takes the token from the query, and prefers the option when both are there', () => {
    const { auth: a } = auth();
    expect(a.check('pump-1', new URLSearchParams('token=s3cret-pump'))).toBeUndefined();
    expect(a.check('pump-1', new URLSearchParams('token=wrong'), option('s3cret-pump'))).toBeUndefined();
    expect(a.check('pump-1', new URLSearchParams('token=s3cret-pump'), option('wrong'))?.code).toBe('4.01');
    // An empty option is no token: the query decides.
    expect(a.check('pump-1', new URLSearchParams('token=s3cret-pump'), option(''))).toBeUndefined();
  });

  it('tells a device without a token both ways to send one, and never logs a token it refused', () => {
    const { auth: a, lines } = auth();
    expect(a.check('pump-1', none)).toEqual({ code: '4.01', diagnostic: 'add the device token as ?token=<token> or in CoAP option 65001' });
    a.check('pump-1', new URLSearchParams('token=guess-1'));
    a.check('pump-1', none, option('guess-2'));
    expect(lines).toHaveLength(3);
    expect(lines.join('')).not.toMatch(/guess-|s3cret/);
  });
});
