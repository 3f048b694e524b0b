export * from './detectors/detector';
export * from './detectors/detector.factory';
export { ZScoreDetector, type ZScoreOptions } from './detectors/zscore.detector';
export { EwmaDetector, type EwmaOptions } from './detectors/ewma.detector';
export { MadDetector, type MadOptions, median } from './detectors/mad.detector';
export { KnnContextDetector, type KnnContextOptions } from './detectors/knn-context.detector';
export { AnomalyLikelihood, type LikelihoodOptions } from './detectors/anomaly-likelihood';
export { EventTimeWindows, type WindowSpec, type WindowUpdate } from './windows/event-time-windows';
export { type WindowStats } from './windows/window-stats';
