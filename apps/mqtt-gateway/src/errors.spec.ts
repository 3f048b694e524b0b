import { GatewayError } from '@fieldlink/gateway-core';
import { MqttError, MqttErrorCode } from './errors';

describe(MqttError.name, () => {
  it('keeps the wire strings of its codes, which logs and the README name', () => {
    expect(MqttErrorCode).toEqual({
      MalformedPacket: 'FL_MQTT_MALFORMED_PACKET',
      SparkplugMalformed: 'FL_SPARKPLUG_MALFORMED',
      SparkplugBadTopic: 'FL_SPARKPLUG_BAD_TOPIC',
      SparkplugNoBirth: 'FL_SPARKPLUG_NO_BIRTH',
      SparkplugSeqGap: 'FL_SPARKPLUG_SEQ_GAP',
      SparkplugUnknownAlias: 'FL_SPARKPLUG_UNKNOWN_ALIAS',
      SparkplugBadValue: 'FL_SPARKPLUG_BAD_VALUE',
      SparkplugTooManyDevices: 'FL_SPARKPLUG_TOO_MANY_DEVICES',
      SparkplugUnknownMetric: 'FL_SPARKPLUG_UNKNOWN_METRIC',
      SparkplugUnknownAction: 'FL_SPARKPLUG_UNKNOWN_ACTION',
    });
  });

  it('is a GatewayError with a code, so mqtt.js reports it as a connection error', () => {
    expect(new MqttError(MqttErrorCode.MalformedPacket, 'x')).toMatchObject({ code: 'FL_MQTT_MALFORMED_PACKET', retryable: false, name: 'MqttError' });
    expect(new MqttError(MqttErrorCode.MalformedPacket, 'x')).toBeInstanceOf(GatewayError);
  });
});
