import { decodePayload } from '@fieldlink/schemas';
import { type MqttMapping } from '../config/mqtt-gateway.config';
import { MappingRouter } from './mapping.router';

const mapping = (over: Partial<MqttMapping>): MqttMapping => ({ name: 'edge', topic: 'edge/{deviceId}/data', kind: 'telemetry', decoder: 'json', deviceId: '{deviceId}', qos: 1, ...over });

describe(MappingRouter.name, () => {
  it('hands a mapping\'s timestampField and timestampUnit to its decoder', () => {
    const routed = new MappingRouter([mapping({ timestampField: 'timestamp', timestampUnit: 's' })]).route('edge/pump-1/data');
    expect(routed?.deviceId).toBe('pump-1');
    const [reading] = decodePayload(routed?.route.decoder ?? 'json', Buffer.from('{"timestamp":1732300000.25,"t":1}'), routed?.route.decodeOptions);
    expect(reading?.eventTime?.toISOString()).toBe('2024-11-22T18:26:40.250Z');
  });

  it('reads epoch milliseconds when the mapping names no unit', () => {
    const routed = new MappingRouter([mapping({ timestampField: 'timestamp' })]).route('edge/pump-1/data');
    const [reading] = decodePayload('json', Buffer.from('{"timestamp":1732300000250,"t":1}'), routed?.route.decodeOptions);
    expect(reading?.eventTime?.toISOString()).toBe('2024-11-22T18:26:40.250Z');
  });
});
