import { CadDetector, type CadOptions } from './cad.detector';
import { type Detector } from './detector';
import { KnnContextDetector, type KnnContextOptions } from './knn-context.detector';
import { EwmaDetector, type EwmaOptions } from './ewma.detector';
import { GaussianTailDetector, type GaussianOptions } from './gaussian-tail.detector';
import { MadDetector, type MadOptions } from './mad.detector';
import { ZScoreDetector, type ZScoreOptions } from './zscore.detector';

export type DetectorSpec =
  | ({ type: 'zscore' } & ZScoreOptions)
  | ({ type: 'gaussian' } & GaussianOptions)
  | ({ type: 'ewma' } & EwmaOptions)
  | ({ type: 'mad' } & MadOptions)
  | ({ type: 'knncontext' } & KnnContextOptions)
  | ({ type: 'cad' } & CadOptions);

export type DetectorType = DetectorSpec['type'];

/** Defaults per detector; a config entry overrides any of them. */
export const DETECTOR_DEFAULTS: { [T in DetectorType]: Extract<DetectorSpec, { type: T }> } = {
  zscore: { type: 'zscore', window: 60, minSamples: 30 },
  gaussian: { type: 'gaussian', window: 300, minSamples: 60, stuckAfter: 30 },
  ewma: { type: 'ewma', alpha: 0.05, minSamples: 30 },
  mad: { type: 'mad', window: 60, minSamples: 30 },
  knncontext: {
    type: 'knncontext',
    dimension: 6,
    memory: 1200,
    neighbours: 3,
    likelihood: { shortWindow: 5, longWindow: 2000, learningPeriod: 150, minSpread: 0.01 },
    restThreshold: 0.15,
    restPeriod: 200,
  },
  cad: {
    type: 'cad',
    bits: 3,
    learningPeriod: 150,
    restThreshold: 0.75,
    restPeriod: 150,
    maxLeftFacts: 7,
    maxActiveContexts: 15,
  },
};

export function createDetector(spec: DetectorSpec): Detector {
  switch (spec.type) {
    case 'zscore':
      return new ZScoreDetector(spec);
    case 'gaussian':
      return new GaussianTailDetector(spec);
    case 'ewma':
      return new EwmaDetector(spec);
    case 'mad':
      return new MadDetector(spec);
    case 'knncontext':
      return new KnnContextDetector(spec);
    case 'cad':
      return new CadDetector(spec);
  }
}
