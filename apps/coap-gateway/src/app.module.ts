import { type DynamicModule, Module } from '@nestjs/common';
import { DeviceRegistry, GatewayCoreModule, IngestPipeline, routeActions } from '@fieldlink/gateway-core';
import { type Logger, METRICS_REGISTRY } from '@fieldlink/service';
import { type Registry } from 'prom-client';
import { type CoapRuntimeConfig } from './config/coap-gateway.config';
import { maxTransmitWaitMs } from './downlink/confirmable-sender';
import { CoapAdapter } from './coap.adapter';

@Module({})
export class AppModule {
  static forRoot(config: CoapRuntimeConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        GatewayCoreModule.forRoot({
          service: 'coap-gateway',
          protocol: 'coap',
          config,
          logger,
          adapter: {
            inject: [IngestPipeline, DeviceRegistry, METRICS_REGISTRY],
            useFactory: (pipeline: IngestPipeline, devices: DeviceRegistry, registry: Registry) => new CoapAdapter(config, pipeline, devices, logger, registry),
          },
          // A command waits for the device's ACK through every retransmission of its notification.
          commandDeliverTimeoutMs: maxTransmitWaitMs(config.coap) + 5_000,
          commandActions: routeActions(config.routes),
        }),
      ],
    };
  }
}
