import { normalise, optimiseThreshold, probationLength, scaledSigmoid, scoreAtThreshold, scoresByThreshold, sweepFile } from './scoring';

const standard = { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 };
const window = { first: 40, last: 59 };
const oneHot = (rows: number, ...at: number[]): number[] => Array.from({ length: rows }, (_, i) => (at.includes(i) ? 1 : 0));

describe('NAB scoring', () => {
  it('uses the published scaled sigmoid values', () => {
    expect(scaledSigmoid(-1)).toBeCloseTo(0.98661, 5);
    expect(scaledSigmoid(-0.5)).toBeCloseTo(0.84828, 5);
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(1)).toBeCloseTo(-0.98661, 5);
    expect(scaledSigmoid(3)).toBe(-1);
  });

  it('ignores 15% of each file, at most 750 rows', () => {
    expect(probationLength(100)).toBe(15);
    expect(probationLength(10_000)).toBe(750);
  });

  it('gives a detection at the left edge of a window the full true-positive weight', () => {
    const best = optimiseThreshold(sweepFile(oneHot(100, 40), [window], standard, 0), standard);
    expect(best).toEqual({ threshold: 1, score: expect.closeTo(1, 9) as number });
    expect(normalise(best.score, -1, 1, standard)).toBeCloseTo(100, 9);
  });

  it('counts only the earliest detection in a window', () => {
    const best = optimiseThreshold(sweepFile(oneHot(100, 45, 50), [window], standard, 0), standard);
    expect(best.score).toBeCloseTo(scaledSigmoid(-(59 - 45 + 1) / 20) / scaledSigmoid(-1), 9);
  });

  it('charges a false positive less right after a window than far from one', () => {
    const rows = sweepFile(oneHot(100, 61, 99), [window], standard, 0);
    const near = rows.find((r) => r.score === 1 && r.window === null);
    expect(near?.weight).toBeCloseTo(scaledSigmoid(2 / 19) * 0.11, 9);
    const thresholds = scoresByThreshold(rows, standard);
    expect(thresholds.map((t) => t.threshold)).toEqual([Infinity, 1, 0]);
    expect(thresholds[1]?.score).toBeCloseTo(-1 + scaledSigmoid(2 / 19) * 0.11 + scaledSigmoid(40 / 19) * 0.11, 9);
  });

  it('charges fpWeight for a detection before any window, and nothing inside probation', () => {
    const rows = sweepFile(oneHot(100, 3, 20), [window], standard, 0);
    expect(rows).toHaveLength(85);
    expect(rows.find((r) => r.score === 1)?.weight).toBe(-0.11);
  });

  it('prefers detecting nothing when every detection costs more than it earns', () => {
    expect(optimiseThreshold(sweepFile(oneHot(100, 80), [window], standard, 0), standard)).toEqual({ threshold: Infinity, score: -1 });
  });

  it('scores a given threshold by the detections at or above it, as a held-out half is scored at the design threshold', () => {
    const scores = oneHot(100, 45).map((s, i) => (i === 80 ? 0.5 : s));
    const rows = sweepFile(scores, [window], standard, 0);
    const hit = scaledSigmoid(-(59 - 45 + 1) / 20) / scaledSigmoid(-1);
    expect(scoreAtThreshold(rows, standard, 0.9)).toBeCloseTo(hit, 9);
    expect(scoreAtThreshold(rows, standard, 0.5)).toBeCloseTo(hit + (rows.find((r) => r.score === 0.5)?.weight ?? NaN), 9);
    expect(scoreAtThreshold(rows, standard, 2)).toBe(-1);
  });
});
