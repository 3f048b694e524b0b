import { type MqttClient } from 'mqtt';
import { DEFAULT_COMMAND_TEMPLATE, type DeliveryOutcome, renderCommand } from '@fieldlink/gateway-core';
import { type Command, type DeviceRecord } from '@fieldlink/schemas';
import { type MqttRuntimeConfig } from '../config/mqtt-gateway.config';
import { type SparkplugHost } from '../sparkplug/sparkplug-host';
import { SPARKPLUG_ROUTE } from '../sparkplug/sparkplug-topic';

/** Publishes commands on the gateway's connection, which the ingress owns. */
export class CommandPublisher {
  constructor(
    private readonly config: MqttRuntimeConfig,
    private readonly connection: () => MqttClient | undefined,
    private readonly sparkplug?: SparkplugHost,
  ) {}

  /** Publishes on the topic and in the payload template of the route the device was last seen on. */
  async deliver(command: Command, device: DeviceRecord): Promise<DeliveryOutcome> {
    if (this.sparkplug && device.route === SPARKPLUG_ROUTE) return this.sparkplug.deliver(command);
    const client = this.connection();
    if (!client) throw new Error('MQTT client not started');
    const route = this.config.runtime.router.byName(device.route);
    const { fallback, byRoute } = this.config.runtime.commandTopics;
    const topic = (route && byRoute.get(route.name)) ?? fallback;
    const template = route?.command?.payload ?? this.config.commands.payload ?? DEFAULT_COMMAND_TEMPLATE;
    await client.publishAsync(topic.render({ deviceId: command.deviceId }), renderCommand(template, command), { qos: this.config.commands.qos });
    return { status: 'delivered' };
  }
}
