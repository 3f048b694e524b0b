import { type DynamicModule, type InjectionToken, Module, type Provider } from '@nestjs/common';
import { KafkaService } from '@fieldlink/kafka';
import { topicMap } from '@fieldlink/schemas';
import { type ServiceConfig } from './config/service-config.schema';
import { kafkaOptionsFrom } from './kafka/kafka-from-config';
import { type Logger } from './observability/logger';
import { ProcessFaults } from './observability/process-faults';
import { createRegistry } from './observability/registry';
import { OpsController } from './ops/ops.controller';
import { LOGGER, METRICS_REGISTRY, PROCESS_FAULTS, SERVICE_CONFIG, SERVICE_RUNTIME, TOPICS } from './tokens';

export interface ServiceModuleOptions {
  service: string;
  config: ServiceConfig;
  logger: Logger;
  /** The service's own providers; SERVICE_CONFIG, LOGGER, METRICS_REGISTRY, TOPICS and KafkaService can be injected. */
  providers: Provider[];
  /** The provider (one of `providers`) that is the service's ServiceRuntime. */
  runtime: InjectionToken;
}

/** What every service has: config, logger, metrics registry, topic names, Kafka clients and the ops endpoints. */
@Module({})
export class ServiceModule {
  static forRoot(options: ServiceModuleOptions): DynamicModule {
    const { config, logger, service } = options;
    const registry = createRegistry(service);
    return {
      module: ServiceModule,
      controllers: [OpsController],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: METRICS_REGISTRY, useValue: registry },
        { provide: PROCESS_FAULTS, useValue: new ProcessFaults(registry, logger) },
        { provide: TOPICS, useValue: topicMap(config.topics.prefix) },
        { provide: KafkaService, useFactory: () => new KafkaService(kafkaOptionsFrom(config, service, registry, logger)) },
        ...options.providers,
        { provide: SERVICE_RUNTIME, useExisting: options.runtime },
      ],
    };
  }
}
