import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

  it('derives its consumer group from the topic prefix unless one is given, so installs on other topics never share one', () => {
    expect(loadStreamProcessorConfig({}).processor.groupId).toBe('fieldlink-stream-processor');
    expect(loadStreamProcessorConfig({ TOPIC_PREFIX: 'plant-a.fieldlink.' }).processor.groupId).toBe('plant-a.fieldlink-stream-processor');
    const file = join(mkdtempSync(join(tmpdir(), 'sp-config-')), 'config.yaml');
    writeFileSync(file, 'processor: { groupId: mine }\n');
    expect(loadStreamProcessorConfig({ FIELDLINK_CONFIG: file, TOPIC_PREFIX: 'plant-a.' }).processor.groupId).toBe('mine');
  });

  it('loads the rules npm start runs with', () => {
    const start = loadStreamProcessorConfig({ FIELDLINK_CONFIG: join(__dirname, '..', '..', '..', '..', 'tools', 'start', 'stream-processor.yaml') });
    expect(start.rules.map((r) => r.name)).toEqual(['emergency-response', 'ventilate', 'pump-trip']);
  });

  describe('detector options', () => {
    const load = (yaml: string) => () => {
      const file = join(mkdtempSync(join(tmpdir(), 'sp-config-')), 'config.yaml');
      writeFileSync(file, yaml);
      return loadStreamProcessorConfig({ FIELDLINK_CONFIG: file });
    };

    it('refuses an option the detector does not have, naming the key and the options it has', () => {
      expect(load('detectors:\n  metrics:\n    vibration: { type: gaussian, options: { windw: 120 } }\n')).toThrow(
        'config key "detectors.metrics.vibration.options.windw": not an option of gaussian (window, minSamples, stuckAfter, restThreshold, restPeriod)',
      );
      expect(load('detectors:\n  default: { type: none, options: { window: 60 } }\n')).toThrow('config key "detectors.default.options.window": none takes no options');
    });

    it('refuses a CAD range given by one end or empty, and takes a whole one', () => {
      expect(load('detectors:\n  default: { type: cad, options: { rangeMin: 0 } }\n')).toThrow('config key "detectors.default.options.rangeMax": give rangeMin and rangeMax together');
      expect(load('detectors:\n  default: { type: cad, options: { rangeMin: 5, rangeMax: 5 } }\n')).toThrow('config key "detectors.default.options.rangeMin": must be below rangeMax');
      expect(load('detectors:\n  default: { type: cad, options: { rangeMin: 0, rangeMax: 120 } }\n')().detectors.default?.options).toEqual({ rangeMin: 0, rangeMax: 120 });
    });
  });
});
