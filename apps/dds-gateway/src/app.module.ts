import { type DynamicModule, Module } from '@nestjs/common';
import { GatewayCoreModule, IngestPipeline, routeActions } from '@fieldlink/gateway-core';
import { type Logger, METRICS_REGISTRY } from '@fieldlink/service';
import { type Registry } from 'prom-client';
import { type DdsRuntimeConfig } from './config/dds-gateway.config';
import { DdsAdapter } from './dds.adapter';
import { type DdsParticipant } from './session/participant';

@Module({})
export class AppModule {
  static forRoot(config: DdsRuntimeConfig, participant: DdsParticipant, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        GatewayCoreModule.forRoot({
          service: 'dds-gateway',
          protocol: 'dds',
          config,
          logger,
          adapter: {
            inject: [IngestPipeline, METRICS_REGISTRY],
            useFactory: (pipeline: IngestPipeline, registry: Registry) => new DdsAdapter(config, participant, pipeline, logger, registry),
          },
          // Room for the ack wait and for the reader loop's current take ahead of it.
          commandDeliverTimeoutMs: config.dds.commands.ackTimeoutMs + 5000,
          commandActions: routeActions(config.dds.readers),
        }),
      ],
    };
  }
}
