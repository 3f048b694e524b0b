import { parentPort, workerData } from 'node:worker_threads';
import { NativeReader } from './native-reader';
import { type TakeReply, type TakeRequest, type TakeWorkerData } from './take-protocol';

/**
 * The take thread: takes and formats samples from Connext while the main thread maps and writes
 * the previous take, so a DDS bridge uses two cores where it used one.
 */
const data = workerData as TakeWorkerData;
const port = parentPort;
if (!port) throw new Error('take.worker must run as a worker thread');
const readers = new Map(Object.entries(data.readers).map(([name, address]) => [name, new NativeReader(data.libraryDir, address)]));

port.on('message', (request: TakeRequest) => {
  let reply: TakeReply;
  try {
    const reader = readers.get(request.reader);
    if (!reader) throw new Error(`no DDS reader "${request.reader}"`);
    reply = { id: request.id, raw: reader.take() };
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply, 'raw' in reply ? [reply.raw.meta.buffer as ArrayBuffer] : []);
});
