import { type DynamicModule, Module } from '@nestjs/common';
import { GatewayCoreModule, IngestPipeline, routeActions } from '@fieldlink/gateway-core';
import { type Logger, METRICS_REGISTRY } from '@fieldlink/service';
import { type Registry } from 'prom-client';
import { type MqttRuntimeConfig } from './config/mqtt-gateway.config';
import { MqttAdapter } from './mqtt.adapter';

@Module({})
export class AppModule {
  static forRoot(config: MqttRuntimeConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        GatewayCoreModule.forRoot({
          service: 'mqtt-gateway',
          protocol: 'mqtt',
          config,
          logger,
          commandDeliverTimeoutMs: config.commands.deliverTimeoutMs,
          commandActions: routeActions(config.mappings),
          ...(config.commands.deliveryGroup ? { commandGroup: config.commands.deliveryGroup } : {}),
          adapter: {
            inject: [IngestPipeline, METRICS_REGISTRY],
            useFactory: (pipeline: IngestPipeline, registry: Registry) => new MqttAdapter(config, pipeline, logger, registry),
          },
        }),
      ],
    };
  }
}
