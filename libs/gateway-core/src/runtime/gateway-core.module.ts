import { type DynamicModule, type InjectionToken } from '@nestjs/common';
import { KafkaService } from '@fieldlink/kafka';
import { type TopicMap, stableId } from '@fieldlink/schemas';
import { type Logger, METRICS_REGISTRY, ServiceModule, TOPICS } from '@fieldlink/service';
import { type Registry } from 'prom-client';
import { CommandDispatcher } from '../commands/command-dispatcher';
import { DeadLetterWriter } from '../dead-letter/dead-letter.writer';
import { CommandHistory } from '../commands/command-history';
import { DeviceRegistry } from '../devices/device-registry';
import { CoreError, CoreErrorCode } from '../errors';
import { DeviceRegistryMetrics } from '../devices/device-registry.metrics';
import { type CoreConfig } from '../config/core-config.schema';
import { type Protocol } from '../ingest/inbound-message';
import { IngestPipeline } from '../ingest/ingest.pipeline';
import { IngestMetrics } from '../observability/ingest.metrics';
import { GatewayRuntime } from './gateway.runtime';
import { type ProtocolAdapter } from './protocol-adapter';
import { CORE_CONFIG, PROTOCOL_ADAPTER, RECORD_SINK } from './tokens';
import { type RecordSink } from '../spool/record-sink';
import { spoolDirectory } from '../spool/spool-directory';
import { SpoolingSink } from '../spool/spooling-sink';
import { SpoolMetrics } from '../spool/spool.metrics';

export interface GatewayCoreOptions {
  service: string;
  protocol: Protocol;
  config: CoreConfig;
  logger: Logger;
  /** Builds the protocol adapter; IngestPipeline, DeadLetterWriter, LOGGER, METRICS_REGISTRY and CORE_CONFIG can be injected. */
  adapter: { inject: InjectionToken[]; useFactory: (...args: never[]) => ProtocolAdapter };
  commandDeliverTimeoutMs?: number;
  /** Route name → the command actions its devices accept (a route's `actions`); a route not named accepts every action. */
  commandActions?: ReadonlyMap<string, readonly string[]>;
  /**
   * Replicas with the same config that can each deliver to every one of their devices (MQTT, through
   * the broker) name one group: the registry then names the group as their devices' gateway, so a
   * device served by several replicas does not move between them, and each command goes to one
   * member of a consumer group they share. Unset: each instance delivers to the devices it serves.
   */
  commandGroup?: string;
}

/** Beyond a delivery's timeout and a registry catch-up: the previous owner writing its result, and clocks. */
const HANDOVER_MARGIN_MS = 2000;

/** A gateway: the service shell plus the shared ingest pipeline, spool and command dispatcher around one adapter. */
export const GatewayCoreModule = {
  forRoot(options: GatewayCoreOptions): DynamicModule {
    const { config, logger, service, protocol } = options;
    return ServiceModule.forRoot({
      service,
      config,
      logger,
      runtime: GatewayRuntime,
      providers: [
        { provide: CORE_CONFIG, useValue: config },
        { provide: IngestMetrics, inject: [METRICS_REGISTRY], useFactory: (r: Registry) => new IngestMetrics(r) },
        {
          provide: DeviceRegistry,
          inject: [KafkaService, TOPICS, METRICS_REGISTRY],
          useFactory: (kafka: KafkaService, topics: TopicMap, registry: Registry) => {
            const devices = new DeviceRegistry(
              kafka,
              {
                topics,
                protocol,
                servedAs: options.commandGroup ?? config.gateway.instanceId,
                groupId: `${config.topics.prefix}devices-${service}-${config.gateway.instanceId}`,
                ...config.devices,
              },
              logger,
            );
            devices.metrics = new DeviceRegistryMetrics(registry, { devices: () => devices.size });
            return devices;
          },
        },
        {
          provide: RECORD_SINK,
          inject: [KafkaService, METRICS_REGISTRY],
          useFactory: (kafka: KafkaService, registry: Registry) => openSink(kafka, config, service, registry, logger),
        },
        {
          provide: DeadLetterWriter,
          inject: [RECORD_SINK, IngestMetrics, TOPICS],
          useFactory: (sink: RecordSink, metrics: IngestMetrics, topics: TopicMap) => {
            const options = { protocol, instanceId: config.gateway.instanceId, topic: topics['dead-letter'], maxBytes: config.ingest.deadLetterMaxBytes };
            const writer = new DeadLetterWriter(sink, options, metrics, logger);
            if (sink instanceof SpoolingSink) {
              // The id comes from the bytes, so a batch replayed again does not make a second letter.
              sink.quarantine = (raw, reason) =>
                writer.letterFor({ ref: 'spool', receivedAt: new Date(), raw, id: stableId('spool-corrupt', raw) }, new CoreError(CoreErrorCode.SpoolCorrupt, reason));
            }
            return writer;
          },
        },
        {
          provide: IngestPipeline,
          inject: [RECORD_SINK, IngestMetrics, TOPICS, DeviceRegistry, DeadLetterWriter],
          useFactory: (sink: RecordSink, metrics: IngestMetrics, topics: TopicMap, registry: DeviceRegistry, deadLetters: DeadLetterWriter) =>
            new IngestPipeline(
              sink,
              {
                protocol,
                instanceId: config.gateway.instanceId,
                topics,
                maxPayloadBytes: config.ingest.maxPayloadBytes,
                rejectWhenFull: config.spool.overflow === 'reject',
                retryAfterMs: config.spool.retryAfterMs,
                onForwarded: (deviceId, route, ref, at) => void registry.seen(deviceId, route, ref, at),
              },
              deadLetters,
              metrics,
            ),
        },
        { provide: PROTOCOL_ADAPTER, inject: options.adapter.inject, useFactory: options.adapter.useFactory },
        {
          provide: CommandDispatcher,
          inject: [KafkaService, PROTOCOL_ADAPTER, DeviceRegistry, DeadLetterWriter, IngestMetrics, TOPICS],
          useFactory: (kafka: KafkaService, adapter: ProtocolAdapter, registry: DeviceRegistry, deadLetters: DeadLetterWriter, metrics: IngestMetrics, topics: TopicMap) =>
            new CommandDispatcher(
              kafka,
              adapter,
              registry,
              new CommandHistory(
                kafka,
                {
                  topics,
                  groupId: `${config.topics.prefix}command-results-${service}-${config.gateway.instanceId}`,
                  catchUpTimeoutMs: config.devices.catchUpTimeoutMs,
                  loadTimeoutMs: config.devices.loadTimeoutMs,
                },
                logger,
              ),
              deadLetters,
              {
                topics,
                servedAs: options.commandGroup ?? config.gateway.instanceId,
                ownerGroupId: options.commandGroup
                  ? `${config.topics.prefix}${service}-commands-group-${options.commandGroup}`
                  : `${config.topics.prefix}${service}-${config.gateway.instanceId}-commands`,
                routerGroupId: `${config.topics.prefix}command-router`,
                instanceId: config.gateway.instanceId,
                deliverTimeoutMs: options.commandDeliverTimeoutMs ?? 10_000,
                handoverGraceMs: (options.commandDeliverTimeoutMs ?? 10_000) + config.devices.catchUpTimeoutMs + HANDOVER_MARGIN_MS,
                actionsByRoute: options.commandActions ?? new Map(),
              },
              metrics,
              logger,
            ),
        },
        {
          provide: GatewayRuntime,
          inject: [KafkaService, PROTOCOL_ADAPTER, CommandDispatcher, DeviceRegistry, RECORD_SINK, TOPICS],
          useFactory: (kafka: KafkaService, adapter: ProtocolAdapter, dispatcher: CommandDispatcher, registry: DeviceRegistry, sink: RecordSink, topics: TopicMap) =>
            new GatewayRuntime(kafka, adapter, dispatcher, registry, config, topics, logger, sink instanceof SpoolingSink ? sink : undefined),
        },
      ],
    });
  },
};

/** The durable spool in front of the producer, or the producer itself when the spool is disabled. */
async function openSink(kafka: KafkaService, config: CoreConfig, service: string, registry: Registry, logger: Logger): Promise<RecordSink> {
  if (!config.spool.enabled) {
    const producer = kafka.producer;
    // Without a spool nothing can hold records while Kafka fails, so the sink counts as full.
    return { send: (record) => producer.send(record), get state() { return producer.healthy ? 'accepting' : 'full'; } };
  }
  const dir = spoolDirectory(config, service);
  const sink = await SpoolingSink.open(kafka.producer, { ...config.spool, dir }, logger);
  sink.metrics = new SpoolMetrics(registry, { depth: () => sink.depth, bytes: () => sink.bytes, oldestAgeSeconds: () => sink.oldestAgeSeconds, maxBytes: () => sink.maxBytes });
  return sink;
}
