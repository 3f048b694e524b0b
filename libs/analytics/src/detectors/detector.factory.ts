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
  gaussian: { type: 'gaussian', window: 1500, minSamples: 60, stuckAfter: 30, restThreshold: 0.65, restPeriod: 200 },
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

/** Options with no default, which a config may still set. */
const OPTIONAL_OPTIONS: Partial<Record<DetectorType, string[]>> = { cad: ['rangeMin', 'rangeMax'] };

export interface OptionProblem {
  option: string;
  message: string;
}

/**
 * What is wrong with numeric option overrides for a configured detector type (or `none`):
 * unknown names, or a CAD range given by one end or empty.
 */
export function detectorOptionProblems(type: string, options: Record<string, number>): OptionProblem[] {
  const defaults: object = Object.hasOwn(DETECTOR_DEFAULTS, type) ? DETECTOR_DEFAULTS[type as DetectorType] : {};
  const numeric = Object.entries(defaults)
    .filter(([, value]) => typeof value === 'number')
    .map(([name]) => name);
  const known = [...numeric, ...(OPTIONAL_OPTIONS[type as DetectorType] ?? [])];
  const problems = Object.keys(options)
    .filter((option) => !known.includes(option))
    .map((option) => ({ option, message: known.length > 0 ? `not an option of ${type} (${known.join(', ')})` : `${type} takes no options` }));
  if (type === 'cad') {
    const { rangeMin, rangeMax } = options;
    if ((rangeMin === undefined) !== (rangeMax === undefined)) problems.push({ option: rangeMin === undefined ? 'rangeMin' : 'rangeMax', message: 'give rangeMin and rangeMax together' });
    else if (rangeMin !== undefined && rangeMax !== undefined && !(rangeMin < rangeMax)) problems.push({ option: 'rangeMin', message: `must be below rangeMax (${rangeMin} >= ${rangeMax})` });
  }
  return problems;
}
