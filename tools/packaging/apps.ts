import { type Infra, freePort } from '@fieldlink/testing';

/** Every deployable app, with the protocol package it bridges with; no other app's bundle or image may carry it. */
export const PROTOCOL_PACKAGES: Record<string, string | undefined> = {
  'mqtt-gateway': 'mqtt',
  'coap-gateway': 'coap',
  'opcua-gateway': 'node-opcua',
  'dds-gateway': 'rticonnextdds-connector',
  'stream-processor': undefined,
};

export const APPS = Object.keys(PROTOCOL_PACKAGES);

/**
 * What a service started by these tests needs from this machine: the local Kafka and broker, a
 * free CoAP port, and topics and an instance name of its own (`name` is a freshName).
 */
export async function localServiceEnv(infra: Infra, name: string): Promise<NodeJS.ProcessEnv> {
  return { KAFKA_BROKERS: infra.kafkaBrokers, MQTT_URL: infra.mqttUrl, COAP_PORT: String(await freePort()), TOPIC_PREFIX: `${name}.`, GATEWAY_INSTANCE_ID: name };
}
