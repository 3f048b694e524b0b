import { type DeliveryOutcome, type IngestPipeline, type ProtocolAdapter } from '@fieldlink/gateway-core';
import { type Command } from '@fieldlink/schemas';
import { type Logger } from '@fieldlink/service';
import { type Registry } from 'prom-client';
import { type DdsRuntimeConfig } from './config/dds-gateway.config';
import { DdsMetrics } from './dds.metrics';
import { deliverCommand } from './downlink/command-writer';
import { InstanceLifecycle } from './ingress/instance-lifecycle';
import { ReaderLoop } from './ingress/reader-loop';
import { type DdsParticipant } from './session/participant';

/** The DDS gateway's adapter: the configured readers into the pipeline, commands to the command writer, on one participant. */
export class DdsAdapter implements ProtocolAdapter {
  readonly protocol = 'dds' as const;
  private readonly readers: ReaderLoop;

  constructor(
    private readonly config: DdsRuntimeConfig,
    private readonly participant: DdsParticipant,
    pipeline: IngestPipeline,
    logger: Logger,
    registry: Registry,
  ) {
    const metrics = new DdsMetrics(registry);
    const lifecycle = new InstanceLifecycle(pipeline, metrics.instanceChanges);
    this.readers = new ReaderLoop(config.dds, config.runtime.routes, participant, pipeline, lifecycle, metrics, logger);
  }

  start(): Promise<void> {
    return this.readers.start();
  }

  isUp(): boolean {
    return this.readers.isUp();
  }

  async stop(): Promise<void> {
    await this.readers.stop();
    await this.participant.close();
  }

  deliver(command: Command): Promise<DeliveryOutcome> {
    return deliverCommand(this.participant, this.config.dds.commands, command);
  }
}
