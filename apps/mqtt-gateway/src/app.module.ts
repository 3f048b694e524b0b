import { type DynamicModule, Module } from '@nestjs/common';
import { GatewayCoreModule, IngestPipeline, type Logger } from '@fieldlink/gateway-core';
import { type MqttGatewayConfig } from './config/mqtt-gateway.config';
import { MqttAdapter } from './ingress/mqtt.adapter';

@Module({})
export class AppModule {
  static forRoot(config: MqttGatewayConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        GatewayCoreModule.forRoot({
          service: 'mqtt-gateway',
          protocol: 'mqtt',
          config,
          logger,
          commandDeliverTimeoutMs: config.commands.deliverTimeoutMs,
          adapter: {
            inject: [IngestPipeline],
            useFactory: (pipeline: IngestPipeline) => new MqttAdapter(config, pipeline, logger),
          },
        }),
      ],
    };
  }
}
