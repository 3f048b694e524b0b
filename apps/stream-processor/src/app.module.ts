import { type DynamicModule, Module } from '@nestjs/common';
import { type Logger, METRICS_REGISTRY, createRegistry, readTlsFiles } from '@fieldlink/gateway-core';
import { KafkaService } from '@fieldlink/kafka';
import { topicMap } from '@fieldlink/schemas';
import { type StreamProcessorConfig } from './config/stream-processor.config';
import { OpsController } from './health/ops.controller';
import { StreamMetrics } from './health/stream.metrics';
import { StreamProcessorService } from './ingress/stream-processor.service';

const SERVICE = 'stream-processor';

@Module({})
export class AppModule {
  static forRoot(config: StreamProcessorConfig, logger: Logger): DynamicModule {
    const registry = createRegistry(SERVICE);
    const kafka = new KafkaService({
      brokers: config.kafka.brokers,
      clientId: config.kafka.clientId ?? `${SERVICE}-${config.gateway.instanceId}`,
      producer: { compression: config.kafka.compression },
      ...(config.kafka.sasl ? { sasl: config.kafka.sasl } : {}),
      ...(config.kafka.tls ? { tls: readTlsFiles(config.kafka.tls) } : {}),
      registry,
      logger,
    });
    const processor = new StreamProcessorService(kafka, config, topicMap(config.topics.prefix), new StreamMetrics(registry), logger);
    return {
      module: AppModule,
      controllers: [OpsController],
      providers: [
        { provide: METRICS_REGISTRY, useValue: registry },
        { provide: KafkaService, useValue: kafka },
        { provide: StreamProcessorService, useValue: processor },
      ],
    };
  }
}
