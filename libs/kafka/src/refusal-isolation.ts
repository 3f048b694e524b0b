import { permanentErrorType } from './errors';

/** What isolating a refused batch does with its records. */
export interface IsolationSteps<T> {
  /** Sends the records to Kafka in one request. */
  send(batch: T[]): Promise<void>;
  /** Kafka answered a request, even if it refused records. */
  answered(): void;
  /** Kafka took every record of `batch`. */
  delivered(batch: T[]): void;
  /** Kafka refused `record` for good with the protocol error `type`. */
  refused(record: T, type: string, error: unknown): void;
}

/**
 * Kafka refused `batch` for good. Splits it in halves until each refusal is down to its own
 * record, so the rest is delivered in order. Returns false once a failure is transient again:
 * the main loop then retries what is left.
 */
export async function isolate<T extends object>(batch: T[], type: string, error: unknown, steps: IsolationSteps<T>): Promise<boolean> {
  steps.answered();
  const [only] = batch;
  if (batch.length === 1 && only) {
    steps.refused(only, type, error);
    return true;
  }
  const half = Math.ceil(batch.length / 2);
  return (await sendIsolating(batch.slice(0, half), steps)) && sendIsolating(batch.slice(half), steps);
}

async function sendIsolating<T extends object>(batch: T[], steps: IsolationSteps<T>): Promise<boolean> {
  try {
    await steps.send(batch);
  } catch (error) {
    const type = permanentErrorType(error);
    return type !== undefined && isolate(batch, type, error, steps);
  }
  steps.delivered(batch);
  return true;
}
