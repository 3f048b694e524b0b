/** Every deployable app, with the protocol package it bridges with; no other app's bundle or image may carry it. */
export const PROTOCOL_PACKAGES: Record<string, string | undefined> = {
  'mqtt-gateway': 'mqtt',
  'coap-gateway': 'coap',
  'opcua-gateway': 'node-opcua',
  'dds-gateway': 'rticonnextdds-connector',
  'stream-processor': undefined,
};

export const APPS = Object.keys(PROTOCOL_PACKAGES);
