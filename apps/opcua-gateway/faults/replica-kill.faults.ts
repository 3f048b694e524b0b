import { type DeviceRecord } from '@fieldlink/schemas';
import { type Infra, command, freshName, produce, readTopic, settledResults, sharedInfra, waitFor } from '@fieldlink/testing';
import { AsyncuaPlc, type OpcuaGatewayUnderTest, startOpcuaGateway } from '../test/support';

const NAMES = ['plc-a', 'plc-b', 'plc-c'];

describe('opcua-gateway replicas sharing endpoints by Kafka consumer-group membership', () => {
  let infra: Infra;
  const plcs: AsyncuaPlc[] = [];
  const replicas: OpcuaGatewayUnderTest[] = [];
  beforeAll(async () => {
    infra = await sharedInfra();
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.gateway.stop()));
    await Promise.all(plcs.map((p) => p.kill()));
  });

  it('serves each of three servers from exactly one of two replicas, moves a SIGKILLed replica’s endpoints to the other within 30 s, and answers a command sent during the failover exactly once', async () => {
    for (let i = 0; i < NAMES.length; i++) plcs.push(await AsyncuaPlc.start({ objects: 1 }));
    const root = freshName('opcua-shard');
    const config = {
      opcua: {
        reconnect: { initialDelayMs: 200, maxDelayMs: 1000 },
        sharding: { sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, handoverDelayMs: 1500 },
      },
      endpoints: plcs.map((p, i) => ({ name: NAMES[i], url: p.url, browse: [{ path: '**', deviceId: '{endpoint}-{object}' }], writable: ['Pump1/Setpoint'] })),
    };
    for (const id of ['replica-1', 'replica-2']) replicas.push(await startOpcuaGateway(infra, { root, config, instanceId: `${root}-${id}` }));
    const owned = (r: OpcuaGatewayUnderTest) => r.gateway.metric('fieldlink_opcua_endpoints_owned');
    const connected = async (r: OpcuaGatewayUnderTest) => {
      const names: string[] = [];
      for (const name of NAMES) if ((await r.gateway.metric('fieldlink_opcua_endpoint_connected', { endpoint: name })) === 1) names.push(name);
      return names;
    };
    const split = await waitFor(
      'the three endpoints split between both replicas, each with one session',
      async () => {
        const [a, b] = await Promise.all(replicas.map(connected));
        const all = [...(a ?? []), ...(b ?? [])].sort();
        return (a?.length ?? 0) > 0 && (b?.length ?? 0) > 0 && all.join() === NAMES.join() && plcs.every((p) => p.sessions === 1) ? { a, b } : false;
      },
      { timeoutMs: 60_000 },
    );
    expect((await Promise.all(replicas.map(owned))).reduce((a, b) => a + b, 0)).toBe(3);
    // Checked on the servers, from their first session on: never two sessions at once, through the second replica's joining too.
    expect(plcs.map((p) => p.maxSessions)).toEqual([1, 1, 1]);

    const [survivor, victim] = replicas as [OpcuaGatewayUnderTest, OpcuaGatewayUnderTest];
    const moved = split.b ?? [];
    const deviceId = `${moved[0] ?? 'plc-a'}-Pump1`;
    await victim.gateway.kill();
    const killedAt = Date.now();
    // Sent during the failover: the registry still names the dead replica, which will never answer.
    const during = command(deviceId, 'write', { args: { metric: 'Setpoint', value: 62 } });
    await produce(infra.kafkaBrokers, survivor.topic('commands'), deviceId, JSON.stringify(during));
    await waitFor('the survivor serving all three', async () => (await connected(survivor)).length === 3 && plcs.every((p) => p.sessions === 1), { timeoutMs: 30_000, intervalMs: 200 });
    const failoverMs = Date.now() - killedAt;
    expect(failoverMs).toBeLessThan(30_000);
    expect(plcs.map((p) => p.maxSessions)).toEqual([1, 1, 1]);

    // Commands follow the endpoint: the device registry's latest record names the survivor. Not
    // necessarily one written after the kill: when the victim was killed before its first reading
    // from the endpoint it had just been given, it never claimed the device, and the survivor's
    // record from before the split still stands. A latest record naming the victim fails this.
    await waitFor(`${deviceId} registered to the survivor`, async () => {
      const records = (await readTopic(infra.kafkaBrokers, survivor.topic('devices'))).filter((r) => r.key === deviceId);
      const latest = records.sort((x, y) => x.offset - y.offset).at(-1);
      return (JSON.parse(latest?.payload ?? '{}') as Partial<DeviceRecord>).gateway === `${root}-replica-1`;
    });
    const sent = command(deviceId, 'write', { args: { metric: 'Setpoint', value: 61 } });
    await produce(infra.kafkaBrokers, survivor.topic('commands'), deviceId, JSON.stringify(sent));
    const results = await settledResults(survivor, sent);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: 'succeeded', gateway: `${root}-replica-1` });
    // The survivor took the device over and delivered what the dead replica never answered, once.
    expect((await settledResults(survivor, during)).map((r) => [r.status, r.gateway])).toEqual([['succeeded', `${root}-replica-1`]]);
    process.stdout.write(`opcua sharding: ${moved.join(', ')} moved to the surviving replica ${(failoverMs / 1000).toFixed(1)} s after its owner was SIGKILLed\n`);
  });
});
