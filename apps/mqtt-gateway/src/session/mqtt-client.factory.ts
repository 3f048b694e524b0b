import { type IClientOptions } from 'mqtt';
import { readTlsFiles } from '@fieldlink/service';
import { type MqttGatewayConfig } from '../config/mqtt-gateway.config';

/** The client id that names the gateway's persistent session on the broker. */
export function sessionClientId(config: MqttGatewayConfig): string {
  return config.mqtt.clientId ?? `fieldlink-${config.gateway.instanceId}`;
}

/** mqtt.js options for a persistent session that survives gateway restarts. */
export function mqttClientOptions(config: MqttGatewayConfig): IClientOptions {
  const { mqtt } = config;
  const options: IClientOptions = {
    clientId: sessionClientId(config),
    protocolVersion: mqtt.protocolVersion,
    // clean=false keeps the session (and the messages queued for it) while we are away.
    clean: false,
    keepalive: mqtt.keepaliveSeconds,
    // MqttAdapter reconnects itself, with backoff.
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    resubscribe: true,
  };
  // mqtt.js formats a debug line per packet even when debug output is off, about 3% of the
  // gateway's CPU under load: without DEBUG set it gets a logger that does nothing.
  if (!process.env['DEBUG']) options.log = () => undefined;
  if (mqtt.protocolVersion === 5) {
    options.properties = { sessionExpiryInterval: mqtt.sessionExpirySeconds, receiveMaximum: mqtt.receiveMaximum };
    // [MQTT-3.1.2-24] The broker must not send a larger packet: it drops the message for this client instead.
    if (mqtt.maximumPacketBytes !== undefined) options.properties.maximumPacketSize = mqtt.maximumPacketBytes;
  }
  if (mqtt.username !== undefined) options.username = mqtt.username;
  if (mqtt.password !== undefined) options.password = mqtt.password;
  return mqtt.tls ? { ...options, ...readTlsFiles(mqtt.tls) } : options;
}
