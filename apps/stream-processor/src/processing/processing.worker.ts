import { parentPort, workerData } from 'node:worker_threads';
import { type OutgoingRecord } from '@fieldlink/kafka';
import { topicMap } from '@fieldlink/schemas';
import { type StreamProcessorConfig } from '../config/stream-processor.config';
import { PartitionProcessor, Tally } from '@fieldlink/analytics';
import { type WorkerReply, type WorkerRequest, unpack } from './worker-protocol';

/**
 * A worker thread that owns the state of some partitions: it decodes each batch, applies it
 * and returns the outputs. Decoding and validating JSON envelopes costs more than consuming
 * them, so it runs here, beside the thread that talks to Kafka.
 */
const config = workerData as StreamProcessorConfig;
const topics = topicMap(config.topics.prefix);
const tally = new Tally();
const processors = new Map<number, PartitionProcessor>();
const port = parentPort;
if (!port) throw new Error('processing.worker must run as a worker thread');

port.on('message', (request: WorkerRequest) => {
  switch (request.type) {
    case 'reset': {
      const processor = new PartitionProcessor(config, topics, tally);
      processor.nextOffset = request.nextOffset;
      processor.replayUntil = request.replayUntil;
      processors.set(request.partition, processor);
      return;
    }
    case 'drop':
      processors.delete(request.partition);
      return;
    case 'batch': {
      let reply: WorkerReply;
      try {
        const processor = processors.get(request.batch.partition);
        if (!processor) throw new Error(`partition ${request.batch.partition} was not reset before its first batch`);
        const outputs: OutgoingRecord[] = [];
        for (const record of unpack(request.batch)) processor.apply(record, outputs);
        reply = { type: 'result', id: request.id, outputs, nextOffset: processor.nextOffset, counts: tally.take() };
      } catch (error) {
        reply = { type: 'error', id: request.id, message: error instanceof Error ? error.message : String(error) };
      }
      port.postMessage(reply);
      return;
    }
    case 'tick': {
      const processor = processors.get(request.partition);
      const outputs: OutgoingRecord[] = [];
      processor?.checkSilence(request.now, outputs);
      port.postMessage({ type: 'result', id: request.id, outputs, nextOffset: processor?.nextOffset ?? -1, counts: tally.take() } satisfies WorkerReply);
      return;
    }
  }
});
