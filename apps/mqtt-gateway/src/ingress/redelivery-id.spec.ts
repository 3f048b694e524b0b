import { redeliveryStableId } from './mqtt-ingress';

describe(redeliveryStableId.name, () => {
  const payload = Buffer.from('{"seq":1,"t":20.5}');

  it('gives a redelivery (same session, packet id, topic and payload) the same id', () => {
    expect(redeliveryStableId('fieldlink-gw', 7, 'sensors/d1/data', payload)).toBe(redeliveryStableId('fieldlink-gw', 7, 'sensors/d1/data', Buffer.from(payload)));
  });

  it.each([
    ['another session', 'fieldlink-gw2', 7, 'sensors/d1/data', payload],
    ['another packet id', 'fieldlink-gw', 8, 'sensors/d1/data', payload],
    ['another topic', 'fieldlink-gw', 7, 'sensors/d2/data', payload],
    ['another payload', 'fieldlink-gw', 7, 'sensors/d1/data', Buffer.from('{"seq":2,"t":20.5}')],
  ])('gives a message from %s a different id', (_name, clientId, packetId, topic, body) => {
    expect(redeliveryStableId(clientId, packetId, topic, body)).not.toBe(redeliveryStableId('fieldlink-gw', 7, 'sensors/d1/data', payload));
  });
});
