import { ServiceProcess, writeConfig } from '@fieldlink/testing';

async function exitOf(config: object): Promise<{ code: number | null; logs: string }> {
  const service = await ServiceProcess.start('stream-processor', { FIELDLINK_CONFIG: writeConfig(config) }, { waitReady: false });
  const code = await service.waitExit();
  return { code, logs: service.logs };
}

describe('stream-processor config', () => {
  it.each([
    [{ windows: [{ sizeMs: 60_000, graceMs: 0, hop: 1 }] }, 'windows.0.hop'],
    [{ detectors: { default: { type: 'prophet' } } }, 'detectors.default.type'],
    [{ rules: [{ name: 'hot', when: 'value', above: 'eighty', action: 'shutdown' }] }, 'rules.0.above'],
    [{ rules: [{ name: 'both', when: 'score', above: 0.9, action: 'throttle', decide: [{ action: 'shutdown' }] }] }, 'rules.0'],
    [{ rules: [{ name: 'neither', when: 'score', above: 0.9 }] }, 'rules.0'],
    [{ processor: { replayHorizonMs: -1 } }, 'processor.replayHorizonMs'],
    [{ processor: { replayHorizonMs: 60_000 }, windows: [{ sizeMs: 3_600_000 }] }, 'processor.replayHorizonMs'],
  ])('exits with code 2 and names the key for %j', async (config, key) => {
    const { code, logs } = await exitOf(config);
    expect(code).toBe(2);
    const line = JSON.parse(logs.trim().split('\n').pop() ?? '{}') as { level?: string; msg?: string };
    expect(line.level).toBe('fatal');
    expect(line.msg).toContain(`config key "${key}"`);
  });
});
