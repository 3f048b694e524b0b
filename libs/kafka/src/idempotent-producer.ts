import { type Kafka, Partitioners, type Producer } from 'kafkajs';
import { rememberingPartitioner } from './kafkajs-fixes';

/** A new kafkajs producer as BatchingProducer needs it: idempotent, one request in flight. */
export function createIdempotentProducer(kafka: Kafka): Producer {
  // maxInFlightRequests 1 keeps idempotent sequence numbers and per-key order safe.
  // The default (murmur2, Java-compatible) partitioner, named so kafkajs does not warn about its v2 change.
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: rememberingPartitioner(Partitioners.DefaultPartitioner),
  });
}
