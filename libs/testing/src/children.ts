import { type ChildProcess } from 'node:child_process';

// Kept on `process`, which Jest shares between test files, so one exit hook serves them all.
const KEY = Symbol.for('fieldlink.testing.children');
const holder = process as unknown as Record<symbol, Set<ChildProcess> | undefined>;
const live = (holder[KEY] ??= createRegistry());

function createRegistry(): Set<ChildProcess> {
  const children = new Set<ChildProcess>();
  process.once('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
  return children;
}

/**
 * Tracks a spawned service so it is SIGKILLed when the test process exits, even
 * after a failed or timed-out test skipped its own cleanup.
 */
export function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}
