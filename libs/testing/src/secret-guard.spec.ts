import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceProcess } from './gateway-process';
import { SecretGuard, assertNoSecretsLogged } from './secret-guard';
import { waitFor } from './wait-for';

const SECRET = 'pw-Zq8!"x';

describe(SecretGuard.name, () => {
  it('finds a secret split between two chunks, and reports the line with the secret masked', () => {
    const guard = new SecretGuard('svc', [SECRET]);
    const out = guard.stream();
    out.write('{"msg":"connected"}\n{"msg":"auth failed","pass');
    out.write(Buffer.from(`word":"${SECRET}"}\n{"msg":"next"}\n`));
    expect(guard.leaks).toEqual(['{"msg":"auth failed","password":"***"}']);
    expect(() => guard.assertClean()).toThrow('svc printed a secret it was given to keep (1 line, secrets shown as ***):\n  {"msg":"auth failed","password":"***"}');
  });

  it('finds a secret as a JSON log line escapes it and as a URL encodes it', () => {
    const guard = new SecretGuard('svc', [SECRET]);
    const out = guard.stream();
    out.write(`${JSON.stringify({ msg: 'x', err: `bad ${SECRET}` })}\n`);
    out.write(`{"url":"mqtt://u:${encodeURIComponent(SECRET)}@broker"}\n`);
    expect(guard.leaks).toEqual(['{"msg":"x","err":"bad ***"}', '{"url":"mqtt://u:***@broker"}']);
  });

  it('checks the last line when the stream ends without a newline, and reports each leak once', () => {
    const guard = new SecretGuard('svc', ['token-1234']);
    const out = guard.stream();
    out.write('{"msg":"shutting down","token":"token-1234"}');
    expect(guard.leaks).toEqual([]);
    out.end();
    expect(() => guard.assertClean()).toThrow('"token":"***"');
    expect(() => guard.assertClean()).not.toThrow();
  });

  it('refuses a secret too short to look for without false alarms', () => {
    expect(() => new SecretGuard('svc', ['abc'])).toThrow('at least 6 characters');
  });
});

describe('ServiceProcess with secrets', () => {
  // A stand-in service: prints a secret on SIGTERM, as the last line and without a newline.
  const dir = mkdtempSync(join(tmpdir(), 'fieldlink-guard-'));
  writeFileSync(
    join(dir, 'main.js'),
    [
      "process.stdout.write('{\"msg\":\"ready\"}\\n');",
      "if (process.env.EARLY) process.stderr.write('{\"msg\":\"early\",\"token\":\"' + process.env.PW + '\"}\\n');",
      "process.on('SIGTERM', () => { process.stdout.write('{\"msg\":\"bye\",\"password\":\"' + process.env.PW + '\"}'); process.exit(0); });",
      'setInterval(() => undefined, 1000);',
    ].join('\n'),
  );
  const start = async (env: NodeJS.ProcessEnv, secrets: string[]) => {
    const service = await ServiceProcess.start('stand-in', env, { waitReady: false, dir, secrets });
    await waitFor('the stand-in to start', () => service.logs.includes('"ready"'), { timeoutMs: 10_000 });
    return service;
  };

  it('fails stop() for a secret printed at shutdown, naming the line with the secret masked', async () => {
    const service = await start({ PW: SECRET }, [SECRET]);
    const stopped = service.stop();
    await expect(stopped).rejects.toThrow('stand-in printed a secret it was given to keep (1 line, secrets shown as ***):\n  {"msg":"bye","password":"***"}');
    await expect(stopped).rejects.not.toThrow(SECRET);
  });

  it('stops cleanly when the service printed none of its secrets', async () => {
    const service = await start({ PW: 'something-else' }, [SECRET]);
    await expect(service.stop()).resolves.toBe(0);
  });

  it('fails assertNoSecretsLogged, as the apps\' jest setup calls it, for a service still running', async () => {
    const service = await start({ PW: SECRET, EARLY: '1' }, [SECRET]);
    try {
      await waitFor('the early line', () => service.logs.includes('"early"'), { timeoutMs: 10_000 });
      expect(() => assertNoSecretsLogged()).toThrow('{"msg":"early","token":"***"}');
    } finally {
      await service.kill();
    }
  });
});
