import { join } from 'node:path';
import { loadStreamProcessorConfig } from './stream-processor.config';

describe(loadStreamProcessorConfig.name, () => {
  it('loads the example, and defaults to the calibrated detector and a 5-minute silence limit', () => {
    const example = loadStreamProcessorConfig({ FIELDLINK_CONFIG: join(__dirname, 'example.yaml') });
    expect(example.detectors.default).toEqual({ type: 'gaussian' });
    expect(example.silence.devices).toEqual([{ match: 'env-*', afterMs: 900_000 }]);
    const defaults = loadStreamProcessorConfig({});
    expect(defaults.detectors.default).toBeUndefined();
    expect(defaults.silence).toEqual({ afterMs: 300_000, checkIntervalMs: 10_000, devices: [] });
  });

  it('loads the rules npm start runs with', () => {
    const start = loadStreamProcessorConfig({ FIELDLINK_CONFIG: join(__dirname, '..', '..', '..', '..', 'tools', 'start', 'stream-processor.yaml') });
    expect(start.rules.map((r) => r.name)).toEqual(['emergency-response', 'ventilate', 'pump-trip']);
  });
});
