import { type Telemetry } from '@fieldlink/schemas';
import { type Infra, type ServiceProcess, command, produce, readTopic, settledResults, sharedInfra, waitFor } from '@fieldlink/testing';
import { AsyncuaPlc, type OpcuaGatewayUnderTest, startOpcuaGateway } from './support';

describe('opcua-gateway commands as OPC UA writes and method calls', () => {
  let infra: Infra;
  let plc: AsyncuaPlc | undefined;
  let gateway: ServiceProcess | undefined;
  let g: OpcuaGatewayUnderTest;
  beforeAll(async () => {
    infra = await sharedInfra();
    plc = await AsyncuaPlc.start({ objects: 2 });
    const config = { endpoints: [{ name: 'plc', url: plc.url, writable: ['*/Setpoint', '*/Temperature'], callable: ['*/Reset', '*/Explode'], commandNodes: ['ns=0;i=2253'] }] };
    g = await startOpcuaGateway(infra, { config });
    gateway = g.gateway;
    // Commands go to the gateway the device registry names, which it becomes once the device's data flows.
    await waitFor('plc/Pump1 in the device registry', async () => (await readTopic(g.brokers, g.topic('devices'))).some((r) => r.key === 'plc/Pump1'), { timeoutMs: 30_000 });
  });
  afterAll(async () => {
    await gateway?.stop();
    await plc?.kill();
  });

  const send = async (deviceId: string, action: string, args: Record<string, unknown>) => {
    const sent = command(deviceId, action, { args });
    await produce(g.brokers, g.topic('commands'), deviceId, JSON.stringify(sent));
    return settledResults(g, sent);
  };

  it('writes a variable, typed as the server declares it, with exactly one succeeded result; the new value then arrives as telemetry', async () => {
    const results = await send('plc/Pump1', 'write', { metric: 'Setpoint', value: 72.5 });
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: 'succeeded', deviceId: 'plc/Pump1', gateway: g.root, output: { statusCode: 'Good' } });
    await waitFor('Setpoint 72.5 in telemetry', async () =>
      (await readTopic(g.brokers, g.topic('telemetry'))).some((r) => {
        const t = JSON.parse(r.payload ?? '{}') as Telemetry;
        return t.deviceId === 'plc/Pump1' && t.values['Setpoint']?.value === 72.5;
      }),
    );
  });

  it('calls a method with its input arguments, with exactly one succeeded result holding the output arguments by name', async () => {
    const results = await send('plc/Pump2', 'call', { method: 'Reset', inputs: [3] });
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: 'succeeded', deviceId: 'plc/Pump2', output: { outputs: { message: 'reset to level 3', resets: 1 } } });
  });

  it.each([
    ['a write the server refuses', 'write', { metric: 'Temperature', value: 1 }, 'FL_OPCUA_BAD_STATUS', /BadNotWritable|BadUserAccessDenied/],
    ['a value of the wrong type', 'write', { metric: 'Setpoint', value: 'hot' }, 'FL_OPCUA_BAD_ARGUMENTS', /takes a Double/],
    ['an unknown variable', 'write', { metric: 'Nope', value: 1 }, 'FL_OPCUA_UNKNOWN_TARGET', /no variable "Nope"/],
    ['an unknown method', 'call', { method: 'Explode' }, 'FL_OPCUA_UNKNOWN_TARGET', /no method "Explode"/],
    ['too few method inputs', 'call', { method: 'Reset', inputs: [] }, 'FL_OPCUA_BAD_ARGUMENTS', /takes 1 input argument/],
    ['an unknown action', 'explode', {}, 'FL_OPCUA_UNKNOWN_ACTION', /not one of write, call/],
    // Producing to the commands topic must not reach every node of the PLC: the server's ServiceLevel, its GetMonitoredItems.
    ['a raw NodeId not in commandNodes', 'write', { nodeId: 'ns=0;i=2267', value: 1 }, 'FL_OPCUA_NODE_ID_NOT_ALLOWED', /not list/],
    ['a raw method NodeId not in commandNodes, on a listed object', 'call', { objectId: 'ns=0;i=2253', methodId: 'ns=0;i=11492', inputs: [1] }, 'FL_OPCUA_NODE_ID_NOT_ALLOWED', /args\.methodId/],
    ['a variable not in writable', 'write', { metric: 'Pressure', value: 1 }, 'FL_OPCUA_NOT_ALLOWED', /not writable/],
  ])('answers %s with exactly one failed result and its reason', async (_what, action, args, code, detail) => {
    const results = await send('plc/Pump1', action, args);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: 'failed', code });
    expect(results[0]?.detail).toMatch(detail);
  });

  it('calls a method once when the same command comes again while the gateway restarts: the copy gets no second result', async () => {
    const reset = command('plc/Pump1', 'call', { args: { method: 'Reset', inputs: [1] } });
    await produce(g.brokers, g.topic('commands'), reset.deviceId, JSON.stringify(reset));
    expect((await settledResults(g, reset)).map((r) => r.output)).toEqual([expect.objectContaining({ outputs: { message: 'reset to level 1', resets: 1 } })]);

    await g.gateway.stop();
    // Not waiting for readiness: these arrive while the endpoint is handed over, connected and browsed.
    await g.gateway.spawn(false);
    await produce(g.brokers, g.topic('commands'), reset.deviceId, JSON.stringify(reset));
    const next = await send('plc/Pump1', 'call', { method: 'Reset', inputs: [2] });
    // CI once saw this command settle without output; the gateway's log then tells why.
    if (next[0]?.status !== 'succeeded') throw new Error(`the command after the restart: ${JSON.stringify(next)}\nthe gateway's log:\n${g.gateway.logs.slice(-8000)}`);
    // Had the copy called Reset again, this would be the third.
    expect(next.map((r) => r.output)).toEqual([expect.objectContaining({ outputs: { message: 'reset to level 2', resets: 2 } })]);
    expect(await settledResults(g, reset)).toHaveLength(1);
  });
});
