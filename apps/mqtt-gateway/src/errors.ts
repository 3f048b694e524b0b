import { GatewayError } from '@fieldlink/gateway-core';

/** Closed set of the MQTT gateway's own codes. */
export const MqttErrorCode = {
  /** The broker sent bytes that are no MQTT packet; the gateway closes the connection and reconnects. */
  MalformedPacket: 'FL_MQTT_MALFORMED_PACKET',
  /** A payload on a Sparkplug topic that is no Sparkplug B payload (bad protobuf, or seq, timestamp or bdSeq missing). */
  SparkplugMalformed: 'FL_SPARKPLUG_MALFORMED',
  /** A topic under spBv1.0/ that is no node or device topic. */
  SparkplugBadTopic: 'FL_SPARKPLUG_BAD_TOPIC',
  /** Data from an edge node or device whose birth the gateway has not seen (or not since a seq gap); a rebirth is asked for. */
  SparkplugNoBirth: 'FL_SPARKPLUG_NO_BIRTH',
  /** A seq that does not follow the last one: messages were lost; a rebirth is asked for. */
  SparkplugSeqGap: 'FL_SPARKPLUG_SEQ_GAP',
  /** A metric alias (or name) the birth certificate did not define; a rebirth is asked for. */
  SparkplugUnknownAlias: 'FL_SPARKPLUG_UNKNOWN_ALIAS',
  /** A metric value that does not fit its datatype, or a datatype the gateway cannot read or write; the message's other metrics are forwarded. */
  SparkplugBadValue: 'FL_SPARKPLUG_BAD_VALUE',
  /** A DBIRTH beyond sparkplug.maxDevicesPerNode devices of one edge node. */
  SparkplugTooManyDevices: 'FL_SPARKPLUG_TOO_MANY_DEVICES',
  /** A write command names a metric the device's birth certificate does not define. */
  SparkplugUnknownMetric: 'FL_SPARKPLUG_UNKNOWN_METRIC',
  /** A command action other than write, Node Control/Rebirth or Node Control/Reboot. */
  SparkplugUnknownAction: 'FL_SPARKPLUG_UNKNOWN_ACTION',
} as const;
export type MqttErrorCode = (typeof MqttErrorCode)[keyof typeof MqttErrorCode];

export class MqttError extends GatewayError {
  declare readonly code: MqttErrorCode;

  constructor(code: MqttErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, false, options);
    this.name = 'MqttError';
  }
}
