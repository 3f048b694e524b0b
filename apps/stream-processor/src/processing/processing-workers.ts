import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type ConsumedRecord, type OutgoingRecord } from '@fieldlink/kafka';
import { type Logger } from '@fieldlink/service';
import { type StreamProcessorConfig } from '../config/stream-processor.config';
import { type StreamCounters, Tally } from '@fieldlink/analytics';
import { type WorkerReply, type WorkerRequest, pack, transferables } from './worker-protocol';

interface Pending {
  resolve: (result: { outputs: OutgoingRecord[]; nextOffset: number }) => void;
  reject: (error: Error) => void;
}

/** Worker threads that hold partition state; partition p lives on worker p mod n. */
export class ProcessingWorkers {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private stopping = false;

  constructor(
    config: StreamProcessorConfig,
    private readonly metrics: StreamCounters,
    private readonly logger: Logger,
  ) {
    // The bundle puts processing.worker.js next to main.js (tools/build/bundle.mjs).
    const script = join(__dirname, 'processing.worker.js');
    this.workers = Array.from({ length: config.processor.workers }, () => this.spawn(script, config));
  }

  reset(partition: number, nextOffset: number, replayUntil: number): void {
    this.post(partition, { type: 'reset', partition, nextOffset, replayUntil });
  }

  drop(partition: number): void {
    this.post(partition, { type: 'drop', partition });
  }

  process(records: ConsumedRecord[]): Promise<{ outputs: OutgoingRecord[]; nextOffset: number }> {
    const batch = pack(records);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post(batch.partition, { type: 'batch', id, batch }, transferables(batch));
    });
  }

  /** The partition's wall-clock outputs (silent devices) at `now`. */
  tick(partition: number, now: number): Promise<OutgoingRecord[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: (result) => resolve(result.outputs), reject });
      this.post(partition, { type: 'tick', id, partition, now });
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private post(partition: number, request: WorkerRequest, transfer: ArrayBuffer[] = []): void {
    this.workers[partition % this.workers.length].postMessage(request, transfer);
  }

  private spawn(script: string, config: StreamProcessorConfig): Worker {
    const worker = new Worker(script, { workerData: config });
    worker.on('message', (reply: WorkerReply) => {
      const pending = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.type === 'error') {
        pending?.reject(new Error(reply.message));
        return;
      }
      Tally.addTo(this.metrics, reply.counts);
      pending?.resolve({ outputs: reply.outputs, nextOffset: reply.nextOffset });
    });
    worker.on('exit', (code) => {
      if (this.stopping) return;
      // Its partitions' state is gone; a restart rebuilds it by replay.
      this.logger.fatal({ code }, 'a processing worker exited; stopping so a restart can rebuild its state');
      process.exit(1);
    });
    worker.on('error', (err) => this.logger.error({ err }, 'processing worker failed'));
    return worker;
  }
}
