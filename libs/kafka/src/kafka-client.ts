import { type Admin, type AdminConfig, type Consumer, type ConsumerConfig, Kafka, logLevel, type KafkaConfig, type Producer, type ProducerConfig, type SASLOptions } from 'kafkajs';
import { BrokerSockets, type TimingOutClient } from './broker-sockets';
import { type KafkaLogger, type KafkaOptions } from './kafka.options';

/**
 * A kafkajs client whose producers, consumers and admins drop a connection once a request on it
 * times out (see BrokerSockets). Each gets a kafkajs instance and sockets of its own, so a timeout
 * in one closes only that one's connections.
 */
class ReconnectingKafka extends Kafka {
  constructor(
    private readonly config: KafkaConfig,
    private readonly log: KafkaLogger,
  ) {
    super(config);
  }

  override producer(config?: ProducerConfig): Producer {
    return this.own((kafka) => kafka.producer(config));
  }

  override consumer(config: ConsumerConfig): Consumer {
    return this.own((kafka) => kafka.consumer(config));
  }

  override admin(config?: AdminConfig): Admin {
    return this.own((kafka) => kafka.admin(config));
  }

  private own<C extends TimingOutClient>(create: (kafka: Kafka) => C): C {
    const sockets = new BrokerSockets(this.log);
    const client = create(new Kafka({ ...this.config, socketFactory: sockets.factory }));
    sockets.watch(client);
    return client;
  }
}

/** Builds the kafkajs client; the only place that knows its config shape. */
export function createKafka(options: KafkaOptions, logger: KafkaLogger): Kafka {
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
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
  return new ReconnectingKafka(config, logger);
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
