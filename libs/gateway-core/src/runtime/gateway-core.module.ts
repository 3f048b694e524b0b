import { join } from 'node:path';
import { type DynamicModule, type InjectionToken, Module } from '@nestjs/common';
import { KafkaModule, KafkaService } from '@fieldlink/kafka';
import { topicMap } from '@fieldlink/schemas';
import { type Registry } from 'prom-client';
import { CommandDispatcher } from '../commands/command-dispatcher';
import { type CoreConfig } from '../config/core-config.schema';
import { readTlsFiles } from '../config/tls-files';
import { type Protocol } from '../ingest/inbound-message';
import { IngestPipeline } from '../ingest/ingest.pipeline';
import { IngestMetrics, createRegistry } from '../observability/ingest.metrics';
import { type Logger } from '../observability/logger';
import { OpsController } from '../observability/ops.controller';
import { GatewayRuntime } from './gateway.runtime';
import { type ProtocolAdapter } from './protocol-adapter';
import { CORE_CONFIG, LOGGER, METRICS_REGISTRY, PROTOCOL_ADAPTER, RECORD_SINK, TOPICS } from './tokens';
import { type RecordSink, SpoolingSink } from '../spool/spooling-sink';
import { SpoolMetrics } from '../spool/spool.metrics';

export interface GatewayCoreOptions {
  service: string;
  protocol: Protocol;
  config: CoreConfig;
  logger: Logger;
  /** Builds the protocol adapter; IngestPipeline, LOGGER, METRICS_REGISTRY and CORE_CONFIG can be injected. */
  adapter: { inject: InjectionToken[]; useFactory: (...args: never[]) => ProtocolAdapter };
  commandDeliverTimeoutMs?: number;
}

/** Wires the shared ingest pipeline, command dispatcher, Kafka, health and metrics around one adapter. */
@Module({})
export class GatewayCoreModule {
  static forRoot(options: GatewayCoreOptions): DynamicModule {
    const { config, logger, service, protocol } = options;
    const registry = createRegistry(service);
    const topics = topicMap(config.topics.prefix);
    return {
      module: GatewayCoreModule,
      imports: [
        KafkaModule.forRootAsync({
          useFactory: () => ({
            brokers: config.kafka.brokers,
            clientId: config.kafka.clientId ?? `${service}-${config.gateway.instanceId}`,
            producer: { compression: config.kafka.compression },
            ...(config.kafka.sasl ? { sasl: config.kafka.sasl } : {}),
            ...(config.kafka.tls ? { tls: readTlsFiles(config.kafka.tls) } : {}),
            registry,
            logger,
          }),
        }),
      ],
      controllers: [OpsController],
      providers: [
        { provide: CORE_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: METRICS_REGISTRY, useValue: registry },
        { provide: TOPICS, useValue: topics },
        { provide: IngestMetrics, inject: [METRICS_REGISTRY], useFactory: (r: Registry) => new IngestMetrics(r) },
        {
          provide: RECORD_SINK,
          inject: [KafkaService],
          useFactory: (kafka: KafkaService) => openSink(kafka, config, service, registry, logger),
        },
        {
          provide: IngestPipeline,
          inject: [RECORD_SINK, IngestMetrics],
          useFactory: (sink: RecordSink, metrics: IngestMetrics) =>
            new IngestPipeline(
              sink,
              {
                protocol,
                instanceId: config.gateway.instanceId,
                topics,
                maxPayloadBytes: config.ingest.maxPayloadBytes,
                deadLetterMaxBytes: config.ingest.deadLetterMaxBytes,
              },
              metrics,
              logger,
            ),
        },
        { provide: PROTOCOL_ADAPTER, inject: options.adapter.inject, useFactory: options.adapter.useFactory },
        {
          provide: CommandDispatcher,
          inject: [KafkaService, PROTOCOL_ADAPTER, IngestPipeline, IngestMetrics],
          useFactory: (kafka: KafkaService, adapter: ProtocolAdapter, pipeline: IngestPipeline, metrics: IngestMetrics) =>
            new CommandDispatcher(
              kafka,
              adapter,
              pipeline,
              {
                topics,
                groupId: `${config.topics.prefix}${service}-commands`,
                instanceId: config.gateway.instanceId,
                deliverTimeoutMs: options.commandDeliverTimeoutMs ?? 10_000,
              },
              metrics,
              logger,
            ),
        },
        {
          provide: GatewayRuntime,
          inject: [KafkaService, PROTOCOL_ADAPTER, CommandDispatcher, RECORD_SINK],
          useFactory: (kafka: KafkaService, adapter: ProtocolAdapter, dispatcher: CommandDispatcher, sink: RecordSink) =>
            new GatewayRuntime(kafka, adapter, dispatcher, config, topics, logger, sink instanceof SpoolingSink ? sink : undefined),
        },
      ],
    };
  }
}


/** The durable spool in front of the producer, or the producer itself when the spool is disabled. */
async function openSink(kafka: KafkaService, config: CoreConfig, service: string, registry: Registry, logger: Logger): Promise<RecordSink> {
  if (!config.spool.enabled) return kafka.producer;
  const dir = config.spool.dir ?? join(process.cwd(), '.fieldlink-spool', `${service}-${config.gateway.instanceId}`);
  const sink = await SpoolingSink.open(kafka.producer, { ...config.spool, dir }, logger);
  sink.metrics = new SpoolMetrics(registry, { depth: () => sink.depth, bytes: () => sink.bytes, oldestAgeSeconds: () => sink.oldestAgeSeconds });
  return sink;
}
