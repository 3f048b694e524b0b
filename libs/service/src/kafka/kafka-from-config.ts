import { type KafkaServiceOptions } from '@fieldlink/kafka';
import { type Registry } from 'prom-client';
import { readTlsFiles } from '../config/tls-files';
import { type ServiceConfig } from '../config/service-config.schema';
import { type Logger } from '../observability/logger';

/** The Kafka client options a service's `kafka` config section describes. */
export function kafkaOptionsFrom(config: Pick<ServiceConfig, 'kafka' | 'gateway'>, service: string, registry: Registry, logger: Logger): KafkaServiceOptions {
  const { kafka } = config;
  return {
    brokers: kafka.brokers,
    clientId: kafka.clientId ?? `${service}-${config.gateway.instanceId}`,
    producer: { compression: kafka.compression },
    ...(kafka.sasl ? { sasl: kafka.sasl } : {}),
    ...(kafka.tls ? { tls: readTlsFiles(kafka.tls) } : {}),
    registry,
    logger,
  };
}
