import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface HotFunction {
  name: string;
  /** Self time as a share of all samples, idle included. */
  percent: number;
}

/**
 * The functions with the most self time in the newest .cpuprofile (node --cpu-prof) in `dir` of
 * thread `thread`: node names each CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile, the main thread 0.
 */
export function topFunctions(dir: string, count = 20, thread = 0): { file: string; functions: HotFunction[] } {
  const ofThread = (f: string) => f.endsWith('.cpuprofile') && f.split('.').at(-3) === String(thread);
  const newest = readdirSync(dir).filter(ofThread).sort().at(-1);
  if (!newest) throw new Error(`no .cpuprofile of thread ${thread} in ${dir}: did the process exit normally?`);
  const file = join(dir, newest);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nameOf = new Map(profile.nodes.map((n) => [n.id, frameName(n.callFrame)]));
  const selfUs = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    const name = nameOf.get(id) ?? '?';
    selfUs.set(name, (selfUs.get(name) ?? 0) + delta);
    total += delta;
  });
  const functions = [...selfUs]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => ({ name, percent: Math.round((1000 * us) / Math.max(1, total)) / 10 }));
  return { file, functions };
}

function frameName(frame: ProfileNode['callFrame']): string {
  const where = frame.url ? ` ${frame.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${frame.lineNumber + 1}` : '';
  return `${frame.functionName || '(anonymous)'}${where}`;
}
