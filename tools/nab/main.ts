import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDetector, type Detector, type DetectorSpec, detectorOptionProblems } from '@fieldlink/analytics';
import { readCorpus, type Series } from './corpus';
import { type CostMatrix, normalise, optimiseThreshold, scoreAtThreshold, type SweepRow, sweepFile } from './scoring';
import { DESIGN_CATEGORIES, type Variant, VARIANTS } from './variants';

/** NAB's three application profiles (NAB config/profiles.json). */
const PROFILES: Record<string, CostMatrix> = {
  standard: { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 },
  reward_low_FP_rate: { tpWeight: 1, fpWeight: 0.22, fnWeight: 1 },
  reward_low_FN_rate: { tpWeight: 1, fpWeight: 0.11, fnWeight: 2 },
};

const SHARED_NAB = join(__dirname, '..', '..', '..', 'shared', 'data', 'nab');
const USAGE = `usage: npx nx run tools:nab -- [--data <dir>] [--labels <combined_windows.json>] [--out <dir>] [--detector <${VARIANTS.map((v) => v.name).join('|')}>[,...]] [--option name=number ...] [--json]
defaults: --data ${join(SHARED_NAB, 'data')} --labels ${join(SHARED_NAB, 'labels', 'combined_windows.json')} --out ${join(tmpdir(), 'fieldlink-nab')}, every detector`;

interface ScoredSeries extends Series {
  scores: number[];
}

interface ProfileResult {
  /** Every series, one threshold chosen over all of them, as NAB scores a corpus. */
  all: number;
  threshold: number;
  design: number;
  heldOut: number;
  /** The held-out half at the threshold chosen on the design half alone. */
  heldOutAtDesignThreshold: number;
}

interface VariantReport {
  detector: string;
  profiles: Record<string, ProfileResult>;
  /** Heap bytes a series' detector holds after its whole file; null without --expose-gc. */
  bytesPerSeries: { median: number; max: number } | null;
  seconds: number;
}

const gc = (globalThis as { gc?: () => void }).gc;
const heapBytes = (): number => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;

function detect(series: Series, spec: DetectorSpec): { scored: ScoredSeries; detector: Detector; bytes: number } {
  // Allocated before the measurement starts, so only the detector's own state is counted.
  const scores = new Float64Array(series.values.length);
  gc?.();
  const before = heapBytes();
  const detector = createDetector(spec);
  series.values.forEach((v, i) => {
    const detection = detector.update(v);
    // A resting reading is the anomaly the detector reported already, not a new detection.
    scores[i] = detection.resting ? 0 : detection.score;
  });
  // One collection can leave garbage of the run behind; a second reliably does not.
  gc?.();
  gc?.();
  const bytes = heapBytes() - before;
  return { scored: { ...series, scores: Array.from(scores) }, detector, bytes };
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

/** NAB's normalised score of `corpus`: at its best threshold, or at the one given. */
function nabScore(corpus: ScoredSeries[], cost: CostMatrix, threshold?: number): { score: number; threshold: number } {
  const windows = corpus.reduce((n, s) => n + s.windows.length, 0);
  const rows = corpusRows(corpus, cost, (s) => s.scores);
  const best = threshold === undefined ? optimiseThreshold(rows, cost) : { threshold, score: scoreAtThreshold(rows, cost, threshold) };
  const nullScore = optimiseThreshold(corpusRows(corpus, cost, (s) => s.scores.map(() => 0.5)), cost).score;
  return { score: normalise(best.score, nullScore, windows, cost), threshold: best.threshold };
}

function evaluate(scored: ScoredSeries[], cost: CostMatrix): ProfileResult {
  const design = scored.filter((s) => DESIGN_CATEGORIES.includes(s.category));
  const heldOut = scored.filter((s) => !DESIGN_CATEGORIES.includes(s.category));
  const all = nabScore(scored, cost);
  const onDesign = nabScore(design, cost);
  return {
    all: all.score,
    threshold: all.threshold,
    design: onDesign.score,
    heldOut: nabScore(heldOut, cost).score,
    heldOutAtDesignThreshold: nabScore(heldOut, cost, onDesign.threshold).score,
  };
}

function run(variant: Variant, corpus: Series[], overrides: Record<string, number>, out: string): VariantReport {
  const started = Date.now();
  const name = variant.name.replace(/[^A-Za-z0-9]/g, '');
  const specFor = (series: Series): DetectorSpec => ({ ...variant.spec(series), ...overrides });
  // A first run compiles the detector's code, whose heap would otherwise count against the first series.
  if (corpus[0]) detect(corpus[0], specFor(corpus[0]));
  // Every detector stays alive until its variant is done, so no heap measurement sees another's freed.
  const runs = corpus.map((series, i) => {
    const result = detect(series, specFor(series));
    writeResults(out, name, result.scored);
    console.error(`[${variant.name} ${i + 1}/${corpus.length}] ${series.path}: ${series.values.length} rows, ${Math.round(result.bytes / 1024)} KB`);
    return result;
  });
  const scored = runs.map((r) => r.scored);
  const bytes = runs.map((r) => r.bytes).sort((a, b) => a - b);
  return {
    detector: variant.name,
    profiles: Object.fromEntries(Object.entries(PROFILES).map(([profile, cost]) => [profile, evaluate(scored, cost)])),
    bytesPerSeries: gc ? { median: bytes[Math.floor(bytes.length / 2)] ?? 0, max: bytes[bytes.length - 1] ?? 0 } : null,
    seconds: Math.round((Date.now() - started) / 1000),
  };
}

function parseOverrides(pairs: string[]): Record<string, number> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const [name = '', text = ''] = pair.split('=');
      const value = Number(text);
      if (name === '' || text.trim() === '' || !Number.isFinite(value)) throw new Error(`--option ${pair}: expected name=number`);
      return [name, value];
    }),
  );
}

function print(report: VariantReport): void {
  const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
  const memory = report.bytesPerSeries ? `${kb(report.bytesPerSeries.median)} median, ${kb(report.bytesPerSeries.max)} max per series` : 'memory not measured (no --expose-gc)';
  console.log(`\n${report.detector} (${memory}, ${report.seconds} s)`);
  console.log(`  ${'profile'.padEnd(20)} ${'all'.padStart(6)} ${'design'.padStart(7)} ${'held-out'.padStart(9)}  held-out at the design threshold`);
  for (const [profile, r] of Object.entries(report.profiles)) {
    const cells = [r.all, r.design, r.heldOut].map((x, i) => x.toFixed(1).padStart([6, 7, 9][i] ?? 6));
    console.log(`  ${profile.padEnd(20)} ${cells.join(' ')}  ${r.heldOutAtDesignThreshold.toFixed(1).padStart(6)}`);
  }
}

function main(): void {
  const { values: args } = parseArgs({
    options: {
      data: { type: 'string', default: join(SHARED_NAB, 'data') },
      labels: { type: 'string', default: join(SHARED_NAB, 'labels', 'combined_windows.json') },
      out: { type: 'string', default: join(tmpdir(), 'fieldlink-nab') },
      detector: { type: 'string' },
      option: { type: 'string', multiple: true, default: [] },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const names = args.detector?.split(',') ?? VARIANTS.map((v) => v.name);
  const unknown = names.filter((n) => !VARIANTS.some((v) => v.name === n));
  if (unknown.length > 0) throw new Error(`--detector ${unknown.join(',')}: unknown\n${USAGE}`);
  const corpus = readCorpus(args.data, args.labels);
  const design = corpus.filter((s) => DESIGN_CATEGORIES.includes(s.category)).length;
  console.log(`NAB: ${corpus.length} series, ${corpus.reduce((n, s) => n + s.windows.length, 0)} windows; design half ${DESIGN_CATEGORIES.join(', ')} (${design} series), held-out half the rest (${corpus.length - design}); results in ${args.out}`);
  const overrides = parseOverrides(args.option);
  const chosen = VARIANTS.filter((v) => names.includes(v.name));
  for (const variant of chosen) {
    const [problem] = detectorOptionProblems(variant.type, overrides);
    if (problem) throw new Error(`--option ${problem.option}: ${problem.message}`);
  }
  const reports = chosen.map((variant) => {
    const report = run(variant, corpus, overrides, args.out);
    print(report);
    return report;
  });
  if (args.json) console.log(JSON.stringify({ files: corpus.length, designCategories: DESIGN_CATEGORIES, detectors: reports }));
}

try {
  main();
} catch (error) {
  console.error(`nab: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
