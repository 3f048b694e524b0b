import { type DynamicModule, Module } from '@nestjs/common';
import { GatewayCoreModule, IngestPipeline } from '@fieldlink/gateway-core';
import { KafkaService } from '@fieldlink/kafka';
import { type Logger, METRICS_REGISTRY } from '@fieldlink/service';
import { type Registry } from 'prom-client';
import { type EndpointConfig, type OpcuaGatewayConfig, type OpcuaRuntimeConfig } from './config/opcua-gateway.config';
import { OpcuaAdapter } from './opcua.adapter';
import { ClientFactory } from './session/client-factory';
import { AllEndpoints, type EndpointOwnership } from './sharding/endpoint-ownership';
import { KafkaGroupOwnership } from './sharding/kafka-group-ownership';

@Module({})
export class AppModule {
  static forRoot(config: OpcuaRuntimeConfig, logger: Logger): DynamicModule {
    const endpoints = config.runtime.endpoints;
    return {
      module: AppModule,
      imports: [
        GatewayCoreModule.forRoot({
          service: 'opcua-gateway',
          protocol: 'opcua',
          config,
          logger,
          adapter: {
            inject: [IngestPipeline, METRICS_REGISTRY, KafkaService],
            useFactory: (pipeline: IngestPipeline, registry: Registry, kafka: KafkaService) =>
              new OpcuaAdapter(config, new ClientFactory(config.opcua), ownership(config, endpoints, kafka, logger), pipeline, logger, registry),
          },
          // A method call may take a while on a busy PLC; the session's own request timeout is shorter.
          commandDeliverTimeoutMs: 30_000,
        }),
      ],
    };
  }
}

function ownership(config: OpcuaGatewayConfig, endpoints: EndpointConfig[], kafka: KafkaService, logger: Logger): EndpointOwnership {
  const names = endpoints.map((e) => e.name);
  const sharding = config.opcua.sharding;
  if (!sharding.enabled) return new AllEndpoints(names);
  return new KafkaGroupOwnership(
    kafka,
    names,
    {
      groupId: sharding.groupId ?? `${config.topics.prefix}opcua-gateway-endpoints`,
      topic: `${config.topics.prefix}opcua-endpoints`,
      sessionTimeoutMs: sharding.sessionTimeoutMs,
      heartbeatIntervalMs: sharding.heartbeatIntervalMs,
      handoverDelayMs: sharding.handoverDelayMs,
    },
    logger,
  );
}
