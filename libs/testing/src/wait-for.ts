import { setTimeout as sleep } from 'node:timers/promises';

/** Thrown from a check when waiting longer cannot help, e.g. the process it waits on has exited: waitFor rethrows it at once. */
export class GiveUp extends Error {}

/**
 * Polls `check` until it returns a value other than undefined/false, or fails
 * with `what` once the deadline passes. Tests wait on conditions, never on fixed sleeps.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  { timeoutMs = 30_000, intervalMs = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      if (error instanceof GiveUp) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await sleep(intervalMs);
  }
}
