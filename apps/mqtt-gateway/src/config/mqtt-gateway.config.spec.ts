import { join } from 'node:path';
import { writeConfig } from '@fieldlink/testing';
import { mqttClientOptions } from '../session/mqtt-client.factory';
import { loadMqttGatewayConfig } from './mqtt-gateway.config';

describe(loadMqttGatewayConfig.name, () => {
  it('runs on defaults with no file: the seed topics', () => {
    const config = loadMqttGatewayConfig({});
    expect(config.mappings.map((m) => [m.topic, m.kind])).toEqual([
      ['sensors/{deviceId}/data', 'telemetry'],
      ['devices/{deviceId}/status', 'status'],
    ]);
    expect(config.commands.topic).toBe('commands/{deviceId}');
    expect(config.mqtt.url).toBe('mqtt://127.0.0.1:1883');
  });

  it('accepts the shipped example config', () => {
    const config = loadMqttGatewayConfig({ FIELDLINK_CONFIG: join(__dirname, 'example.yaml'), MQTT_URL: 'mqtts://broker:8883' });
    expect(config.mqtt.url).toBe('mqtts://broker:8883');
    expect(config.mappings.find((m) => m.name === 'plant')?.shareGroup).toBe('fieldlink');
  });

  it('builds the route table and the command topics once, for the adapter to use', () => {
    const { runtime } = loadMqttGatewayConfig({ FIELDLINK_CONFIG: join(__dirname, 'example.yaml') });
    expect(runtime.router.route('plant/north/pump-1/telemetry')).toMatchObject({ deviceId: 'pump-1', labels: { site: 'north' } });
    expect(runtime.router.subscriptions()).toMatchObject({ '$share/fieldlink/plant/+/+/telemetry': { qos: 1 } });
    expect(runtime.commandTopics.fallback.render({ deviceId: 'pump-1' })).toBe('commands/pump-1');
    expect([...runtime.commandTopics.byRoute].map(([name, topic]) => [name, topic.render({ deviceId: 'a-1' })])).toEqual([['line', 'line/a-1/cmd']]);
  });

  it('takes its shard from the number its instance id ends in, and refuses shards it cannot keep', () => {
    const load = (config: object, instance = 'fl-mqtt-gateway-1') => () => loadMqttGatewayConfig({ FIELDLINK_CONFIG: writeConfig(config), GATEWAY_INSTANCE_ID: instance });
    expect(load({})().runtime.shard).toBeUndefined();
    expect(load({ sharding: { count: 2 } })().runtime.shard).toMatchObject({ index: 1, count: 2 });
    expect(load({ sharding: { count: 2, index: 0 } }, 'gateway')().runtime.shard).toMatchObject({ index: 0, count: 2 });
    expect(load({ sharding: { count: 2 } }, 'gateway')).toThrow('config key "sharding.count" is 2, but "sharding.index" is unset and gateway.instanceId "gateway" does not end in -<number>');
    expect(load({ sharding: { count: 2 } }, 'fl-mqtt-gateway-2')).toThrow('shards are 0 to 1');
    const shared = { sharding: { count: 2 }, mappings: [{ name: 'telemetry', topic: 'sensors/{deviceId}/data', shareGroup: 'g' }] };
    expect(load(shared)).toThrow('mapping "telemetry" has a shareGroup: with shards every replica must see every message');
    expect(load({ sharding: { count: 2 }, sparkplug: {} })).toThrow('"sparkplug" is set');
  });

  it('accepts the edge-client example: the seed Python client\'s topic, epoch seconds and nested data', () => {
    const config = loadMqttGatewayConfig({ FIELDLINK_CONFIG: join(__dirname, '..', '..', 'examples', 'edge-client.yaml') });
    expect(config.mappings).toEqual([expect.objectContaining({ topic: 'edge/{deviceId}/data', timestampField: 'timestamp', timestampUnit: 's', valuesField: 'data' })]);
    expect(config.commands.topic).toBe('edge/{deviceId}/command');
  });

  it('announces no Maximum Packet Size unless mqtt.maximumPacketBytes is set, and refuses it with MQTT 3.1.1', () => {
    expect(mqttClientOptions(loadMqttGatewayConfig({})).properties).not.toHaveProperty('maximumPacketSize');
    const set = loadMqttGatewayConfig({ FIELDLINK_CONFIG: writeConfig({ mqtt: { maximumPacketBytes: 1048576 } }) });
    expect(mqttClientOptions(set).properties).toMatchObject({ maximumPacketSize: 1048576 });
    const v4 = { FIELDLINK_CONFIG: writeConfig({ mqtt: { protocolVersion: 4, maximumPacketBytes: 1048576 } }) };
    expect(() => loadMqttGatewayConfig(v4)).toThrow('config key "mqtt.maximumPacketBytes" needs mqtt.protocolVersion 5');
  });

  it('accepts the sparkplug example: every group, no other mappings', () => {
    const config = loadMqttGatewayConfig({ FIELDLINK_CONFIG: join(__dirname, '..', '..', 'examples', 'sparkplug.yaml') });
    expect(config.mappings).toEqual([]);
    expect(config.sparkplug).toEqual({ groups: ['+'], hostId: 'fieldlink', deviceId: '{group}/{node}/{device}', nodeDeviceId: '{group}/{node}', maxNodes: 10_000, maxDevicesPerNode: 1000, rebirthIntervalMs: 5000 });
  });

  it('refuses a config that bridges nothing, or a mapping that would take the Sparkplug host\'s topics or name', () => {
    const load = (config: object) => () => loadMqttGatewayConfig({ FIELDLINK_CONFIG: writeConfig(config) });
    expect(load({ mappings: [] })).toThrow('the gateway would bridge nothing');
    expect(load({ sparkplug: {}, mappings: [{ name: 'sparkplug', topic: 'a/{deviceId}' }] })).toThrow('the Sparkplug host\'s own route');
    expect(load({ sparkplug: {}, mappings: [{ name: 'x', topic: 'spBv1.0/{deviceId}/#' }] })).toThrow('no mapping may match spBv1.0/ topics');
    expect(load({ sparkplug: {}, mappings: [{ name: 'x', topic: '{site}/{deviceId}/#' }] })).toThrow('no mapping may match spBv1.0/ topics');
    expect(load({ sparkplug: { deviceId: '{site}/{device}' } })).toThrow('{site} is not one of {group}, {node}, {device}');
    expect(load({ sparkplug: { nodeDeviceId: '{group}/{device}' } })).toThrow('{device} is not one of {group}, {node}');
    expect(load({ sparkplug: { groups: ['a/b'] } })).toThrow();
  });
});
