import { readFileSync } from 'node:fs';
import { type IClientOptions } from 'mqtt';
import { type MqttGatewayConfig } from '../config/mqtt-gateway.config';

/** mqtt.js options for a persistent session that survives gateway restarts. */
export function mqttClientOptions(config: MqttGatewayConfig): IClientOptions {
  const { mqtt } = config;
  const options: IClientOptions = {
    clientId: mqtt.clientId ?? `fieldlink-${config.gateway.instanceId}`,
    protocolVersion: mqtt.protocolVersion,
    // clean=false keeps the session (and the messages queued for it) while we are away.
    clean: false,
    keepalive: mqtt.keepaliveSeconds,
    reconnectPeriod: mqtt.reconnectPeriodMs,
    connectTimeout: 10_000,
    resubscribe: true,
  };
  if (mqtt.protocolVersion === 5) {
    options.properties = { sessionExpiryInterval: mqtt.sessionExpirySeconds, receiveMaximum: mqtt.receiveMaximum };
  }
  if (mqtt.username !== undefined) options.username = mqtt.username;
  if (mqtt.password !== undefined) options.password = mqtt.password;
  if (mqtt.tls) {
    if (mqtt.tls.caFile) options.ca = readFileSync(mqtt.tls.caFile);
    if (mqtt.tls.certFile) options.cert = readFileSync(mqtt.tls.certFile);
    if (mqtt.tls.keyFile) options.key = readFileSync(mqtt.tls.keyFile);
    options.rejectUnauthorized = mqtt.tls.rejectUnauthorized;
  }
  return options;
}
