import { CadDetector } from './cad.detector';
import { createDetector, DETECTOR_DEFAULTS } from './detector.factory';
import { EwmaDetector } from './ewma.detector';
import { GaussianTailDetector, log10TwoSidedTail, tailScore } from './gaussian-tail.detector';
import { KnnContextDetector } from './knn-context.detector';
import { MadDetector, median } from './mad.detector';
import { ZScoreDetector } from './zscore.detector';

const alternating = (n: number): number[] => Array.from({ length: n }, (_, i) => 20 + (i % 2 === 0 ? 1 : -1));

describe(ZScoreDetector.name, () => {
  it('scores min(|z| / 3, 1) against the previous window', () => {
    const detector = new ZScoreDetector({ window: 10, minSamples: 10 });
    for (const v of alternating(10)) expect(detector.update(v).score).toBe(0);
    // mean 20, population stddev 1
    expect(detector.update(21.5)).toEqual({ score: 0.5, expected: { low: 17, high: 23 } });
    expect(detector.update(95).score).toBe(1);
  });
});

describe(GaussianTailDetector.name, () => {
  it('scores L / (L + 3.5) for L = -log10 of the two-sided normal tail: 0.5 at p = 10^-3.5, 0.65 at 3e-7', () => {
    expect(tailScore(20, 20, 1)).toBeCloseTo(0, 6);
    expect(tailScore(20 + 3.62, 20, 1)).toBeCloseTo(0.5, 2);
    expect(tailScore(20 - 3.62, 20, 1)).toBeCloseTo(0.5, 2);
    expect(tailScore(20 + 5.12, 20, 1)).toBeCloseTo(0.65, 2);
    expect(log10TwoSidedTail(3)).toBeCloseTo(Math.log10(0.0027), 2);
    // Continuous where the asymptotic series takes over, and still ordered far out.
    expect(log10TwoSidedTail(5)).toBeCloseTo(Math.log10(5.733e-7), 2);
    expect(log10TwoSidedTail(3.999)).toBeCloseTo(log10TwoSidedTail(4.001), 2);
    expect(log10TwoSidedTail(3.999)).toBeGreaterThan(log10TwoSidedTail(4.001));
    expect(tailScore(20 + 100, 20, 1)).toBeLessThan(tailScore(20 + 200, 20, 1));
    expect(tailScore(20 + 200, 20, 1)).toBeLessThan(1);
  });

  it('does not saturate at 3 sigma the way the z-score does', () => {
    const detector = new GaussianTailDetector({ window: 10, minSamples: 10, stuckAfter: 0, restThreshold: 0.65, restPeriod: 0 });
    for (const v of alternating(10)) detector.update(v);
    const { score, expected } = detector.update(23);
    // |z| = 3: p = 0.0027, L = 2.57, score 0.42; min(|z|/3, 1) would already be 1.
    expect(score).toBeCloseTo(0.42, 2);
    expect(expected?.high).toBeCloseTo(25, 6);
    expect(detector.update(95).score).toBeGreaterThan(0.99);
  });

  it('scores a stuck value 0.7 once it has repeated stuckAfter times, and not before', () => {
    const detector = new GaussianTailDetector({ window: 20, minSamples: 10, stuckAfter: 5, restThreshold: 0.65, restPeriod: 0 });
    for (const v of alternating(20)) detector.update(v);
    const scores = [1, 2, 3, 4, 5, 6].map(() => detector.update(20.5).score);
    expect(scores.slice(0, 4).every((s) => s < 0.5)).toBe(true);
    expect(scores.slice(4)).toEqual([0.7, 0.7]);
    expect(detector.update(19).score).toBeLessThan(0.5);
  });

  it('rests after a score at restThreshold: the next restPeriod readings are flagged resting, with their real scores', () => {
    const detector = new GaussianTailDetector({ window: 200, minSamples: 10, stuckAfter: 0, restThreshold: 0.65, restPeriod: 3 });
    for (const v of alternating(200)) detector.update(v);
    const detections = [95, 95, 95, 95, 95].map((v) => detector.update(v));
    expect(detections.map((d) => d.score >= 0.65)).toEqual([true, true, true, true, true]);
    expect(detections.map((d) => d.resting === true)).toEqual([false, true, true, true, false]);
  });

  it('leaves a series that never varied alone however often it repeats', () => {
    const detector = new GaussianTailDetector({ window: 20, minSamples: 10, stuckAfter: 5, restThreshold: 0.65, restPeriod: 0 });
    expect(Array.from({ length: 40 }, () => detector.update(7).score)).toEqual(Array.from({ length: 40 }, () => 0));
  });
});

describe(EwmaDetector.name, () => {
  it('follows a level and flags a jump away from it', () => {
    const detector = new EwmaDetector({ alpha: 0.1, minSamples: 5 });
    const scores = alternating(200).map((v) => detector.update(v).score);
    expect(Math.max(...scores.slice(50))).toBeLessThan(0.5);
    expect(detector.update(40).score).toBe(1);
  });
});

describe(MadDetector.name, () => {
  it('keeps its band when the history holds outliers', () => {
    const detector = new MadDetector({ window: 21, minSamples: 5 });
    for (const v of [...alternating(18), 500, -500, 500]) detector.update(v);
    const { score, expected } = detector.update(21);
    expect(score).toBeLessThan(0.3);
    expect(expected?.high).toBeLessThan(30);
  });

  it('computes the median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe(KnnContextDetector.name, () => {
  it('stays quiet on a repeating shape and fires when the shape changes', () => {
    const detector = createDetector(DETECTOR_DEFAULTS.knncontext);
    const wave = (i: number): number => 50 + 10 * Math.sin((2 * Math.PI * i) / 48);
    const before = Array.from({ length: 2000 }, (_, i) => detector.update(wave(i)).score);
    const after = Array.from({ length: 48 }, () => detector.update(50).score);
    expect(Math.max(...before.slice(500))).toBeLessThan(DETECTOR_DEFAULTS.knncontext.restThreshold);
    expect(Math.max(...after)).toBeGreaterThanOrEqual(DETECTOR_DEFAULTS.knncontext.restThreshold);
  });
});

describe(CadDetector.name, () => {
  const wave = (i: number): number => 50 + 10 * Math.sin((2 * Math.PI * i) / 24);
  const ranged = { ...DETECTOR_DEFAULTS.cad, rangeMin: 40, rangeMax: 60 };

  it('learns a repeating shape, then scores a break in it above its rest threshold', () => {
    const detector = new CadDetector(ranged);
    const before = Array.from({ length: 2000 }, (_, i) => detector.update(wave(i)).score);
    const after = Array.from({ length: 24 }, () => detector.update(40).score);
    expect(Math.max(...before.slice(1000))).toBeLessThan(ranged.restThreshold);
    expect(Math.max(...after)).toBeGreaterThanOrEqual(ranged.restThreshold);
  });

  it('stops adding contexts once the shape has been seen: its memory grows with variety, not length', () => {
    const detector = new CadDetector(ranged);
    for (let i = 0; i < 10_000; i++) detector.update(wave(i));
    const learnt = detector.contexts;
    for (let i = 10_000; i < 20_000; i++) detector.update(wave(i));
    expect(learnt).toBeGreaterThan(0);
    expect(detector.contexts).toBe(learnt);
  });

  it('flags the restPeriod readings after a score at restThreshold as resting', () => {
    const detector = new CadDetector({ ...ranged, restPeriod: 50 });
    for (let i = 0; i < 2000; i++) detector.update(wave(i));
    const detections = Array.from({ length: 60 }, (_, i) => detector.update(i % 2 === 0 ? 40 : 60));
    const first = detections.findIndex((d) => d.score >= ranged.restThreshold && !d.resting);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(detections.slice(first + 1, first + 51).every((d) => d.resting)).toBe(true);
  });

  it('without a configured range learns it from its first readings, which score 0, and still tells a reading beyond it', () => {
    const detector = new CadDetector(DETECTOR_DEFAULTS.cad);
    const learning = Array.from({ length: DETECTOR_DEFAULTS.cad.learningPeriod }, (_, i) => detector.update(wave(i)).score);
    expect(learning).toEqual(Array(learning.length).fill(0));
    const steady = Array.from({ length: 2000 }, (_, i) => detector.update(wave(learning.length + i)).score);
    const beyond = Array.from({ length: 24 }, () => detector.update(1000).score);
    expect(Math.max(...steady.slice(1000))).toBeLessThan(0.5);
    expect(Math.max(...beyond)).toBeGreaterThan(0.5);
  });
});
