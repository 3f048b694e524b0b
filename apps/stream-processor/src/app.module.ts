import { type DynamicModule, Module } from '@nestjs/common';
import { KafkaService } from '@fieldlink/kafka';
import { type TopicMap } from '@fieldlink/schemas';
import { type Logger, METRICS_REGISTRY, ServiceModule, TOPICS } from '@fieldlink/service';
import { type Registry } from 'prom-client';
import { type StreamProcessorConfig } from './config/stream-processor.config';
import { StreamMetrics } from './health/stream.metrics';
import { StreamProcessorService } from './ingress/stream-processor.service';

@Module({})
export class AppModule {
  static forRoot(config: StreamProcessorConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceModule.forRoot({
          service: 'stream-processor',
          config,
          logger,
          runtime: StreamProcessorService,
          providers: [
            {
              provide: StreamProcessorService,
              inject: [KafkaService, TOPICS, METRICS_REGISTRY],
              useFactory: (kafka: KafkaService, topics: TopicMap, registry: Registry) =>
                new StreamProcessorService(kafka, config, topics, new StreamMetrics(registry), logger),
            },
          ],
        }),
      ],
    };
  }
}
