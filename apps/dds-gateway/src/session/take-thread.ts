import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type DdsSample } from './dds-sample';
import { type Json, valueAt } from './field-path';
import { INSTANCE_STATES, META_FIELDS, type RawTake, VALID } from './native-reader';
import { type TakeReply, type TakeWorkerData } from './take-protocol';

interface Pending {
  resolve: (raw: RawTake) => void;
  reject: (error: Error) => void;
}

/**
 * The main thread's side of the take thread (take.worker.ts). A take asked for `ahead` starts
 * the reader's next take at once, so Connext's formatting overlaps the pipeline's work; only one
 * take is ever held ahead per reader, so a slow Kafka still slows the writers.
 */
export class TakeThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private readonly ahead = new Map<string, Promise<RawTake>>();
  private readonly underWay = new Set<Promise<RawTake>>();
  private nextId = 0;
  private stopped = false;
  private answered = false;
  /** Why the thread could not start (Connext's library missing, say): no take will succeed. */
  failure: Error | undefined;

  constructor(private readonly data: TakeWorkerData) {}

  /** The reader's next take: the one started ahead, if any, else a new one. */
  take(reader: string, ahead: boolean): Promise<RawTake> {
    const current = this.ahead.get(reader) ?? this.request(reader);
    this.ahead.delete(reader);
    if (ahead) {
      const next = this.request(reader);
      // Its failure is reported by the take that collects it.
      next.catch(() => undefined);
      this.ahead.set(reader, next);
    }
    return current;
  }

  /** Waits for the takes under way, then ends the thread: the Connector may close after this. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.underWay]);
    await this.worker?.terminate();
    this.worker = undefined;
  }

  private request(reader: string): Promise<RawTake> {
    if (this.stopped) return Promise.reject(new Error('the DDS take thread has stopped'));
    if (this.failure) return Promise.reject(this.failure);
    let worker: Worker;
    try {
      worker = this.thread();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const id = this.nextId++;
    const take = new Promise<RawTake>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, reader });
    });
    this.underWay.add(take);
    const done = () => void this.underWay.delete(take);
    take.then(done, done);
    return take;
  }

  private settle(id: number, outcome: (pending: Pending) => void): void {
    const pending = this.pending.get(id);
    this.pending.delete(id);
    if (pending) outcome(pending);
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    // The bundle puts take.worker.js next to main.js (tools/build/bundle.mjs).
    const worker = new Worker(join(__dirname, 'take.worker.js'), { workerData: this.data });
    worker.on('message', (reply: TakeReply) => {
      this.answered = true;
      this.settle(reply.id, (p) => ('raw' in reply ? p.resolve(reply.raw) : p.reject(new Error(reply.error))));
    });
    const fail = (error: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      if (!this.answered && !this.stopped) this.failure = new Error(`the DDS take thread could not start: ${error.message}`);
      // Takes it had not answered are rejected; those it answered, held ahead, are still collected.
      // After a crash (not a failed start) the next take starts a new thread.
      for (const id of [...this.pending.keys()]) this.settle(id, (p) => p.reject(this.failure ?? error));
    };
    worker.on('error', fail);
    worker.on('messageerror', fail);
    worker.on('exit', (code) => fail(new Error(`the DDS take thread exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }
}

/** The samples of a take; a sample without valid data carries the value of its key field `keyField`. */
export function toSamples(raw: RawTake, keyField: string, sourceTime: boolean): DdsSample[] {
  const count = raw.meta.length / META_FIELDS;
  if (count === 0) return [];
  const texts = raw.json.split('\u0000');
  const ids = raw.ids.split('\u0000');
  const reasons = new Map(raw.unreadable.map((u) => [u.index, u.reason]));
  const samples = new Array<DdsSample>(count);
  for (let i = 0; i < count; i++) {
    const at = i * META_FIELDS;
    const instanceState = INSTANCE_STATES[raw.meta[at + 1] ?? 0] ?? 'ALIVE';
    const text = texts[i] ?? '';
    if (raw.meta[at] === VALID.unreadable) {
      samples[i] = { instanceState, data: undefined, unreadable: { reason: `Connext could not read the sample: ${reasons.get(i) ?? 'unknown'}`, raw: text } };
      continue;
    }
    let whole: { [field: string]: Json };
    try {
      whole = JSON.parse(text) as { [field: string]: Json };
    } catch (error) {
      samples[i] = { instanceState, data: undefined, unreadable: { reason: `Connext's JSON for the sample did not parse: ${String(error)}`, raw: text } };
      continue;
    }
    const valid = raw.meta[at] === VALID.data;
    const sample: DdsSample = { instanceState, data: valid ? whole : undefined };
    if (!valid) sample.keyValue = valueAt(whole, keyField) ?? null;
    if (ids[i]) sample.id = ids[i];
    if (sourceTime) sample.sourceTimestampNs = raw.meta[at + 2];
    samples[i] = sample;
  }
  return samples;
}
