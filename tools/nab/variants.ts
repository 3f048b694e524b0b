import { DETECTOR_DEFAULTS, type DetectorSpec, type DetectorType } from '@fieldlink/analytics';
import { type Series } from './corpus';

/** One way of running a detector over a NAB series. */
export interface Variant {
  name: string;
  type: DetectorType;
  spec(series: Series): DetectorSpec;
}

const defaults = (type: DetectorType) => (): DetectorSpec => DETECTOR_DEFAULTS[type];

/**
 * Every detector on its defaults. NAB's harness hands each detector the file's minimum and
 * maximum (`inputMin`, `inputMax`); of ours only `cad` takes them, so it runs twice: with the
 * file's range, as NAB runs CAD OSE, and with the range learnt from its first readings, as the
 * service runs it when a metric's `rangeMin`/`rangeMax` are not configured.
 */
export const VARIANTS: Variant[] = [
  { name: 'zscore', type: 'zscore', spec: defaults('zscore') },
  { name: 'gaussian', type: 'gaussian', spec: defaults('gaussian') },
  { name: 'ewma', type: 'ewma', spec: defaults('ewma') },
  { name: 'mad', type: 'mad', spec: defaults('mad') },
  { name: 'knncontext', type: 'knncontext', spec: defaults('knncontext') },
  {
    name: 'cad',
    type: 'cad',
    spec: (series) => ({ ...DETECTOR_DEFAULTS.cad, rangeMin: Math.min(...series.values), rangeMax: Math.max(...series.values) }),
  },
  { name: 'cad-learnt-range', type: 'cad', spec: defaults('cad') },
];

/**
 * Our own split of `../shared/data/nab`, by category: detector choices are made on the design
 * half only, and the held-out half is reported on its own.
 */
export const DESIGN_CATEGORIES = ['artificialNoAnomaly', 'artificialWithAnomaly', 'realAWSCloudwatch', 'realAdExchange'];
