import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDetector, DETECTOR_DEFAULTS, type DetectorType } from '@fieldlink/analytics';
import { readCorpus, type Series } from './corpus';
import { type CostMatrix, normalise, optimiseThreshold, type SweepRow, sweepFile } from './scoring';

/** NAB's three application profiles (NAB config/profiles.json). */
const PROFILES: Record<string, CostMatrix> = {
  standard: { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 },
  reward_low_FP_rate: { tpWeight: 1, fpWeight: 0.22, fnWeight: 1 },
  reward_low_FN_rate: { tpWeight: 1, fpWeight: 0.11, fnWeight: 2 },
};

const USAGE = `usage: npm run nab -- --data <dir> --labels <combined_windows.json> --out <dir> [--detector <${Object.keys(DETECTOR_DEFAULTS).join('|')}>] [--json]`;

interface ScoredSeries extends Series {
  scores: number[];
}

function detect(series: Series, type: DetectorType): ScoredSeries {
  const detector = createDetector(DETECTOR_DEFAULTS[type]);
  return { ...series, scores: series.values.map((v) => detector.update(v).score) };
}

function writeResults(out: string, name: string, series: ScoredSeries): void {
  const dir = join(out, name, series.category);
  mkdirSync(dir, { recursive: true });
  const inWindow = (i: number): number => (series.windows.some((w) => w.first <= i && i <= w.last) ? 1 : 0);
  const rows = series.timestamps.map((t, i) => `${t},${series.values[i]},${series.scores[i]},${inWindow(i)}`);
  writeFileSync(join(dir, `${name}_${series.file}`), ['timestamp,value,anomaly_score,label', ...rows, ''].join('\n'));
}

function corpusRows(corpus: ScoredSeries[], cost: CostMatrix, scoresOf: (s: ScoredSeries) => number[]): SweepRow[] {
  let windowId = 0;
  return corpus.flatMap((series) => {
    const rows = sweepFile(scoresOf(series), series.windows, cost, windowId);
    windowId += series.windows.length;
    return rows;
  });
}

function main(): void {
  const { values: args } = parseArgs({
    options: {
      data: { type: 'string' },
      labels: { type: 'string' },
      out: { type: 'string' },
      detector: { type: 'string', default: 'knncontext' },
      json: { type: 'boolean', default: false },
    },
  });
  const type = args.detector as DetectorType;
  if (!args.data || !args.labels || !args.out || !(type in DETECTOR_DEFAULTS)) {
    console.error(USAGE);
    process.exit(2);
  }
  const name = type.replace(/[^A-Za-z0-9]/g, '');
  const corpus = readCorpus(args.data, args.labels);
  const windows = corpus.reduce((n, s) => n + s.windows.length, 0);
  const started = Date.now();
  const scored = corpus.map((series, i) => {
    const result = detect(series, type);
    writeResults(args.out as string, name, result);
    console.error(`[${i + 1}/${corpus.length}] ${series.path}: ${series.values.length} rows`);
    return result;
  });
  console.error(`detector ${name}: ${corpus.length} files, ${windows} windows, ${Date.now() - started} ms`);
  const report: Record<string, { score: number; threshold: number }> = {};
  for (const [profile, cost] of Object.entries(PROFILES)) {
    const best = optimiseThreshold(corpusRows(scored, cost, (s) => s.scores), cost);
    const nullScore = optimiseThreshold(corpusRows(scored, cost, (s) => s.scores.map(() => 0.5)), cost).score;
    report[profile] = { score: normalise(best.score, nullScore, windows, cost), threshold: best.threshold };
    console.log(`${profile.padEnd(20)} ${report[profile].score.toFixed(1).padStart(6)}   (threshold ${best.threshold.toFixed(4)})`);
  }
  if (args.json) console.log(JSON.stringify({ detector: name, files: corpus.length, windows, profiles: report }));
}

try {
  main();
} catch (error) {
  console.error(`nab: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
