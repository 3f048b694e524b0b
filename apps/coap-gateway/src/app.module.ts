import { type DynamicModule, Module } from '@nestjs/common';
import { GatewayCoreModule, IngestPipeline } from '@fieldlink/gateway-core';
import { type Logger, METRICS_REGISTRY } from '@fieldlink/service';
import { type Registry } from 'prom-client';
import { type CoapGatewayConfig } from './config/coap-gateway.config';
import { CoapAdapter } from './ingress/coap.adapter';

@Module({})
export class AppModule {
  static forRoot(config: CoapGatewayConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        GatewayCoreModule.forRoot({
          service: 'coap-gateway',
          protocol: 'coap',
          config,
          logger,
          adapter: {
            inject: [IngestPipeline, METRICS_REGISTRY],
            useFactory: (pipeline: IngestPipeline, registry: Registry) => new CoapAdapter(config, pipeline, logger, registry),
          },
        }),
      ],
    };
  }
}
