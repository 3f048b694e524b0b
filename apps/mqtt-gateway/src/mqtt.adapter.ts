import { type DeliveryOutcome, type IngestPipeline, type ProtocolAdapter } from '@fieldlink/gateway-core';
import { type Command, type DeviceRecord } from '@fieldlink/schemas';
import { type Logger } from '@fieldlink/service';
import { type Registry } from 'prom-client';
import { type MqttRuntimeConfig } from './config/mqtt-gateway.config';
import { CommandPublisher } from './downlink/command-publisher';
import { MqttIngress } from './ingress/mqtt-ingress';
import { MqttMetrics } from './mqtt.metrics';

/** The MQTT gateway's adapter: the subscribing client (ingress) and command publishing on its connection (downlink). */
export class MqttAdapter implements ProtocolAdapter {
  readonly protocol = 'mqtt' as const;
  private readonly ingress: MqttIngress;
  private readonly downlink: CommandPublisher;

  constructor(config: MqttRuntimeConfig, pipeline: IngestPipeline, logger: Logger, registry: Registry) {
    this.ingress = new MqttIngress(config, pipeline, logger, new MqttMetrics(registry));
    this.downlink = new CommandPublisher(config, () => this.ingress.connection, this.ingress.sparkplug);
  }

  start(): Promise<void> {
    return this.ingress.start();
  }

  isUp(): boolean {
    return this.ingress.isUp();
  }

  stop(): Promise<void> {
    return this.ingress.stop();
  }

  deliver(command: Command, device: DeviceRecord): Promise<DeliveryOutcome> {
    return this.downlink.deliver(command, device);
  }
}
