/**
 * Our implementation of NAB's scoring (Lavin & Ahmad 2015; NAB v1.1 sweeper): scaled-sigmoid
 * weights per row, one threshold shared by the corpus and chosen to maximise the profile's
 * total, and normalisation between the null detector (0) and a perfect one (100).
 */

export interface CostMatrix {
  tpWeight: number;
  fpWeight: number;
  fnWeight: number;
}

/** A labelled anomaly window as row indices into its file, both ends inclusive. */
export interface IndexWindow {
  first: number;
  last: number;
}

/** One row, ready for the threshold sweep. */
export interface SweepRow {
  score: number;
  /** What detecting this row is worth: a true positive's weight, or a false positive's cost. */
  weight: number;
  /** Corpus-wide window number, or null outside every window. */
  window: number | null;
}

export interface ThresholdResult {
  threshold: number;
  score: number;
}

/** NAB ignores the first 15% of each file (at most 750 rows) while detectors learn. */
export function probationLength(rows: number): number {
  return Math.min(Math.floor(0.15 * rows), 0.15 * 5000);
}

/** 2·sigmoid(−5x) − 1: +0.987 at a window's left edge, 0 at its right edge, → −1 after it. */
export function scaledSigmoid(position: number): number {
  if (position >= 3) return -1;
  return 2 / (1 + Math.exp(5 * position)) - 1;
}

/**
 * Weighs every scorable row of one file. A row inside a window earns its true-positive weight,
 * highest at the window's start; a row outside costs a false positive, less right after a
 * window than far from one.
 */
export function sweepFile(scores: number[], windows: IndexWindow[], cost: CostMatrix, firstWindowId: number): SweepRow[] {
  const rows: SweepRow[] = [];
  const probation = probationLength(scores.length);
  const maxTp = scaledSigmoid(-1);
  let next = 0;
  let previous: IndexWindow | undefined;
  for (let i = 0; i < scores.length; i++) {
    while (next < windows.length && (windows[next]?.last ?? Infinity) < i) previous = windows[next++];
    const current = windows[next];
    const inside = current !== undefined && current.first <= i;
    let weight: number;
    if (inside) {
      const width = current.last - current.first + 1;
      weight = (scaledSigmoid(-(current.last - i + 1) / width) * cost.tpWeight) / maxTp;
    } else if (previous === undefined) {
      weight = -cost.fpWeight;
    } else {
      weight = scaledSigmoid(Math.abs(previous.last - i) / (previous.last - previous.first)) * cost.fpWeight;
    }
    if (i >= probation) rows.push({ score: scores[i] ?? 0, weight, window: inside ? firstWindowId + next : null });
  }
  return rows;
}

/**
 * Every distinct threshold's corpus score, highest threshold first, starting with one above
 * every score (nothing detected). Only the earliest detection in a window counts, which is
 * the one with the largest weight because weights fall through a window.
 */
export function scoresByThreshold(rows: SweepRow[], cost: CostMatrix): ThresholdResult[] {
  const best = new Map<number, number>();
  for (const row of rows) if (row.window !== null) best.set(row.window, -cost.fnWeight);
  let total = -cost.fnWeight * best.size;
  const results: ThresholdResult[] = [{ threshold: Infinity, score: total }];
  const sorted = [...rows].sort((a, b) => b.score - a.score);
  for (let i = 0; i < sorted.length; i++) {
    const row = sorted[i];
    if (row === undefined) break;
    if (row.window === null) {
      total += row.weight;
    } else {
      const previous = best.get(row.window) ?? -cost.fnWeight;
      if (row.weight > previous) {
        total += row.weight - previous;
        best.set(row.window, row.weight);
      }
    }
    if (i === sorted.length - 1 || sorted[i + 1]?.score !== row.score) results.push({ threshold: row.score, score: total });
  }
  return results;
}

/** The best threshold; on a tie the higher one, as NAB's stable sort does. */
export function optimiseThreshold(rows: SweepRow[], cost: CostMatrix): ThresholdResult {
  return scoresByThreshold(rows, cost).reduce((a, b) => (b.score > a.score ? b : a));
}

export function normalise(raw: number, nullScore: number, windows: number, cost: CostMatrix): number {
  const perfect = windows * cost.tpWeight;
  return (100 * (raw - nullScore)) / (perfect - nullScore);
}

/** The corpus score when every row scoring `threshold` or more is a detection. */
export function scoreAtThreshold(rows: SweepRow[], cost: CostMatrix, threshold: number): number {
  let result = { threshold: Infinity, score: 0 };
  for (const candidate of scoresByThreshold(rows, cost)) {
    if (candidate.threshold < threshold) break;
    result = candidate;
  }
  return result.score;
}
