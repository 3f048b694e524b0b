import { setTimeout as sleep } from 'node:timers/promises';
import { Backoff, type BackoffOptions } from './backoff';

/** The backoff of {@link retryWithBackoff}, when to give up, and what to say about a failure. */
export interface RetryOptions extends BackoffOptions {
  /** Asked before every attempt, the first included: once true, no attempt is made any more. */
  stopped: () => boolean;
  /** Told of every failure with the wait before the next attempt (typically to log it), before that wait. */
  onFailure: (error: unknown, retryInMs: number) => void;
}

/**
 * Runs `action` until it resolves, waiting with exponential backoff after each failure, for as
 * long as `stopped()` is false. A wait that has begun is not cut short by stopping.
 *
 * @returns true once `action` succeeded, false when stopped before it did.
 */
export async function retryWithBackoff(action: () => Promise<unknown>, options: RetryOptions): Promise<boolean> {
  const backoff = new Backoff(options);
  while (!options.stopped()) {
    try {
      await action();
      return true;
    } catch (error) {
      const retryInMs = backoff.next();
      options.onFailure(error, retryInMs);
      await sleep(retryInMs);
    }
  }
  return false;
}
