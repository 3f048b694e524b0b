import { type DynamicModule, Module } from '@nestjs/common';
import { GatewayCoreModule, IngestPipeline } from '@fieldlink/gateway-core';
import { type Logger, METRICS_REGISTRY } from '@fieldlink/service';
import { type Registry } from 'prom-client';
import { type OpcuaGatewayConfig, endpointsOf } from './config/opcua-gateway.config';
import { OpcuaAdapter } from './ingress/opcua.adapter';
import { ClientFactory } from './session/client-factory';
import { AllEndpoints } from './sharding/endpoint-ownership';

@Module({})
export class AppModule {
  static forRoot(config: OpcuaGatewayConfig, logger: Logger): DynamicModule {
    const endpoints = endpointsOf(config);
    return {
      module: AppModule,
      imports: [
        GatewayCoreModule.forRoot({
          service: 'opcua-gateway',
          protocol: 'opcua',
          config,
          logger,
          adapter: {
            inject: [IngestPipeline, METRICS_REGISTRY],
            useFactory: (pipeline: IngestPipeline, registry: Registry) =>
              new OpcuaAdapter(config, endpoints, new ClientFactory(config.opcua), new AllEndpoints(endpoints.map((e) => e.name)), pipeline, logger, registry),
          },
          // A method call may take a while on a busy PLC; the session's own request timeout is shorter.
          commandDeliverTimeoutMs: 30_000,
        }),
      ],
    };
  }
}
