import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type IndexWindow } from './scoring';

export interface Series {
  /** `<category>/<file>.csv`, as in NAB's label file. */
  path: string;
  category: string;
  file: string;
  timestamps: string[];
  values: number[];
  windows: IndexWindow[];
}

export class CorpusError extends Error {
  override readonly name = 'CorpusError';
}

/** NAB timestamps look like `2013-12-02 21:15:00` or `2014-04-10 07:15:00.000000`, in UTC. */
export function parseTimestamp(text: string): number {
  const millis = Date.parse(`${text.trim().replace(' ', 'T').slice(0, 23)}Z`);
  if (Number.isNaN(millis)) throw new CorpusError(`not a NAB timestamp: "${text}"`);
  return millis;
}

export function readSeries(dataDir: string, path: string, labelWindows: [string, string][]): Series {
  const [category = '', file = ''] = path.split('/');
  const lines = readFileSync(join(dataDir, path), 'utf8').trim().split(/\r?\n/);
  if (lines[0]?.trim() !== 'timestamp,value') throw new CorpusError(`${path}: expected the header "timestamp,value"`);
  const timestamps: string[] = [];
  const values: number[] = [];
  for (const [n, line] of lines.slice(1).entries()) {
    const [timestamp = '', value = ''] = line.split(',');
    const number = Number(value);
    if (value.trim() === '' || !Number.isFinite(number)) throw new CorpusError(`${path}:${n + 2}: value "${value}" is not a number`);
    timestamps.push(timestamp);
    values.push(number);
  }
  return { path, category, file, timestamps, values, windows: toIndexWindows(path, timestamps, labelWindows) };
}

function toIndexWindows(path: string, timestamps: string[], labelWindows: [string, string][]): IndexWindow[] {
  const times = timestamps.map(parseTimestamp);
  return labelWindows.map(([start, end]) => {
    const from = parseTimestamp(start);
    const to = parseTimestamp(end);
    const first = times.findIndex((t) => t >= from);
    const last = times.findLastIndex((t) => t <= to);
    if (first < 0 || last < first) throw new CorpusError(`${path}: window [${start}, ${end}] holds no rows`);
    return { first, last };
  });
}

/** Every `<category>/<file>.csv` under `dataDir`, with its windows from NAB's combined label file. */
export function readCorpus(dataDir: string, labelsPath: string): Series[] {
  const labels = JSON.parse(readFileSync(labelsPath, 'utf8')) as Record<string, [string, string][]>;
  const paths = readdirSync(dataDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(dataDir, d.name)).filter((f) => f.endsWith('.csv')).map((f) => `${d.name}/${f}`))
    .sort();
  if (paths.length === 0) throw new CorpusError(`${dataDir}: no <category>/<file>.csv files`);
  return paths.map((path) => {
    const windows = labels[path];
    if (windows === undefined) throw new CorpusError(`${labelsPath}: no entry for ${path}`);
    return readSeries(dataDir, path, windows);
  });
}
