import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../../..');

function run(mode: 'quiet' | 'plain', debug?: string): { quiet: boolean; topic: string; logged: boolean } {
  const env = { ...process.env };
  delete env['DEBUG'];
  if (debug) env['DEBUG'] = debug;
  const child = spawnSync(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), '--tsconfig', 'tsconfig.base.json', 'apps/mqtt-gateway/src/session/quiet-mqtt-packet.fixture.ts', mode], { cwd: ROOT, encoding: 'utf8', env });
  if (child.status !== 0) throw new Error(`fixture failed: ${child.stderr}`);
  return { ...(JSON.parse(child.stdout) as { quiet: boolean; topic: string }), logged: child.stderr.includes('mqtt-packet:parser') };
}

describe('quietMqttPacket', () => {
  it('loads mqtt-packet with loggers that stay silent even when turned on later, and it still parses', () => {
    expect(run('quiet')).toEqual({ quiet: true, topic: 'a/b', logged: false });
  });

  it('leaves mqtt-packet logging as debug does without it, and when DEBUG is set at start', () => {
    expect(run('plain')).toEqual({ quiet: false, topic: 'a/b', logged: true });
    expect(run('quiet', 'mqtt-packet:*')).toEqual({ quiet: false, topic: 'a/b', logged: true });
  });
});
