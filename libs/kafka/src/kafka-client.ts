import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { type KafkaLogger, type KafkaOptions } from './kafka.options';

/** Builds the kafkajs client; the only place that knows its config shape. */
export function createKafka(options: KafkaOptions, logger: KafkaLogger): Kafka {
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    // Our producer and consumers retry themselves, with their own limits (kafkajs#628).
    retry: { initialRetryTime: 200, maxRetryTime: 5000, retries: 5 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => {
      const { message, ...rest } = entry.log;
      const fields = { kafka: entry.namespace, ...rest };
      if (entry.level <= logLevel.ERROR) logger.error(fields, message);
      else if (entry.level === logLevel.WARN) logger.warn(fields, message);
      else logger.debug(fields, message);
    },
  };
  if (options.tls) config.ssl = options.tls;
  if (options.sasl) config.sasl = toSasl(options.sasl);
  return new Kafka(config);
}

function toSasl(sasl: NonNullable<KafkaOptions['sasl']>): SASLOptions {
  switch (sasl.mechanism) {
    case 'plain':
      return { mechanism: 'plain', username: sasl.username, password: sasl.password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username: sasl.username, password: sasl.password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username: sasl.username, password: sasl.password };
  }
}
