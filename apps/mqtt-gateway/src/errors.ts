import { GatewayError } from '@fieldlink/gateway-core';

/** Closed set of the MQTT gateway's own codes. */
export const MqttErrorCode = {
  /** The broker sent bytes that are no MQTT packet; the gateway closes the connection and reconnects. */
  MalformedPacket: 'FL_MQTT_MALFORMED_PACKET',
} as const;
export type MqttErrorCode = (typeof MqttErrorCode)[keyof typeof MqttErrorCode];

export class MqttError extends GatewayError {
  declare readonly code: MqttErrorCode;

  constructor(code: MqttErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, false, options);
    this.name = 'MqttError';
  }
}
