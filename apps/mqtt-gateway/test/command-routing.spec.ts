import { type CommandResult, type DeviceRecord } from '@fieldlink/schemas';
import { freshName, type Infra, type KafkaRecord, mosquittoPub, mosquittoSub, type MqttGatewayUnderTest, produce, readTopic, type ServiceProcess, sharedInfra, startMqttGateway, waitFor } from '@fieldlink/testing';

/** Two gateway instances on one broker and one Kafka prefix, each with its own routes and devices. */
function startInstance(infra: Infra, root: string, name: 'a' | 'b'): Promise<MqttGatewayUnderTest> {
  return startMqttGateway(infra, {
    root,
    clientId: `fieldlink-${root}-${name}`,
    env: { GATEWAY_INSTANCE_ID: `${root}-${name}` },
    config: () => ({
      mappings: [{ name: `site-${name}`, topic: `${root}/${name}/{deviceId}/data` }],
      commands: { topic: `${root}/${name}/commands/{deviceId}` },
    }),
  });
}

const results = async (g: MqttGatewayUnderTest): Promise<CommandResult[]> =>
  (await readTopic(g.brokers, g.topic('command-results'))).map((r: KafkaRecord) => JSON.parse(r.payload ?? '') as CommandResult);

/** Waits for the result of a marker command sent last, so every earlier result has had its chance to appear. */
async function settledResults(g: MqttGatewayUnderTest, deviceId: string): Promise<CommandResult[]> {
  const marker = freshName('marker');
  await produce(g.brokers, g.topic('commands'), deviceId, JSON.stringify({ schemaVersion: 1, id: marker, deviceId, action: 'ping' }));
  return waitFor('the marker command result', async () => {
    const all = await results(g);
    return all.some((r) => r.id === marker) ? all : undefined;
  });
}

describe('command routing across gateway instances', () => {
  const gateways: ServiceProcess[] = [];
  const subs: { close: () => void }[] = [];
  afterAll(async () => {
    subs.forEach((sub) => sub.close());
    await Promise.all(gateways.map((g) => g.stop()));
  });

  it('delivers each command through the one instance serving its device, with exactly one result, whatever the outcome', async () => {
    const infra = await sharedInfra();
    const root = freshName('it');
    const a = await startInstance(infra, root, 'a');
    gateways.push(a.gateway);
    let b = await startInstance(infra, root, 'b');
    gateways.push(b.gateway);
    // Where each instance would publish a command for dev-b: only b's may ever see one.
    const onA = await mosquittoSub(infra.mqttPort, `${root}/a/commands/dev-b`);
    const onB = await mosquittoSub(infra.mqttPort, `${root}/b/commands/dev-b`);
    subs.push(onA, onB);

    await mosquittoPub(infra.mqttPort, `${root}/a/dev-a/data`, Buffer.from('{"t":1}'));
    await mosquittoPub(infra.mqttPort, `${root}/b/dev-b/data`, Buffer.from('{"t":2}'));
    await waitFor('both devices registered', async () => {
      const keys = new Set((await readTopic(a.brokers, a.topic('devices'))).map((r) => r.key));
      return keys.has('dev-a') && keys.has('dev-b') ? true : undefined;
    });

    const served = { schemaVersion: 1, id: `${root}-served`, deviceId: 'dev-b', action: 'reboot' };
    const unknown = { schemaVersion: 1, id: `${root}-unknown`, deviceId: 'dev-nobody', action: 'reboot' };
    await produce(a.brokers, a.topic('commands'), served.deviceId, JSON.stringify(served));
    await produce(a.brokers, a.topic('commands'), unknown.deviceId, JSON.stringify(unknown));
    let all = await settledResults(a, 'dev-b');
    expect(all.filter((r) => r.id === served.id).map((r) => [r.status, r.gateway])).toEqual([['delivered', `${root}-b`]]);
    expect(all.filter((r) => r.id === unknown.id).map((r) => [r.status, r.code])).toEqual([['failed', 'FL_COMMAND_UNKNOWN_DEVICE']]);
    expect(onB.lines.filter((line) => line.includes(served.id))).toHaveLength(1);
    expect(onA.lines).toEqual([]);

    // The owner is down while the command's expiry passes; once back, it alone reports it expired.
    await b.gateway.stop();
    const expiresAt = Date.now() + 2000;
    const late = { schemaVersion: 1, id: `${root}-late`, deviceId: 'dev-b', action: 'reboot', expiresAt: new Date(expiresAt).toISOString() };
    await produce(a.brokers, a.topic('commands'), late.deviceId, JSON.stringify(late));
    await waitFor('the expiry to pass', () => (Date.now() > expiresAt + 200 ? true : undefined));
    b = await startInstance(infra, root, 'b');
    gateways.push(b.gateway);
    all = await settledResults(a, 'dev-b').catch((error: unknown) => {
      process.stderr.write(`--- b after restart:\n${b.gateway.logs.slice(-6000)}\n`);
      throw error;
    });
    expect(all.filter((r) => r.id === late.id).map((r) => [r.status, r.gateway])).toEqual([['expired', `${root}-b`]]);
    expect([...onA.lines, ...onB.lines].filter((line) => line.includes(late.id))).toEqual([]);

    const current = new Map<string, DeviceRecord>();
    for (const record of await readTopic(a.brokers, a.topic('devices'))) current.set(record.key ?? '', JSON.parse(record.payload ?? '') as DeviceRecord);
    expect([...current.values()].map((d) => [d.deviceId, d.gateway, d.protocol, d.route]).sort()).toEqual([
      ['dev-a', `${root}-a`, 'mqtt', 'site-a'],
      ['dev-b', `${root}-b`, 'mqtt', 'site-b'],
    ]);
  });
});
