import { parseArgs } from 'node:util';

/** The q-quantile (0..1) of already sorted values, nearest-rank. */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes on one host. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Runs a benchmark's main: its figures pretty-printed unless `json`, then, last, as one JSON
 * line for scripts; exit 0, or exit 1 with the error.
 */
export function runBench(main: () => Promise<{ result: object; json: boolean }>): void {
  main().then(
    ({ result, json }) => {
      if (!json) console.log(JSON.stringify(result, null, 2));
      console.log(JSON.stringify(result));
      process.exit(0);
    },
    (error: unknown) => {
      console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}

/**
 * The options every Kafka benchmark takes: `--json`, `--messages N` (an integer ≥ 1000,
 * `defaultMessages` when absent) and `--profile` (a CPU profile of the service, where the bench supports it). The bench's own name, passed through by npm run bench, is ignored.
 */
export function benchArgs(name: string, defaultMessages: number): { json: boolean; messages: number; profile: boolean } {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== name),
    options: { json: { type: 'boolean', default: false }, messages: { type: 'string', default: String(defaultMessages) }, profile: { type: 'boolean', default: false } },
  });
  const messages = Number(values.messages);
  if (!Number.isInteger(messages) || messages < 1000) throw new Error('--messages must be an integer ≥ 1000');
  return { json: values.json, messages, profile: values.profile };
}
