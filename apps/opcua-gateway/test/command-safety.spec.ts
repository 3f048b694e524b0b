import { type Infra, type ServiceProcess, command, produce, readTopic, settledResults, sharedInfra, waitFor } from '@fieldlink/testing';
import { AsyncuaPlc, type OpcuaGatewayUnderTest, startOpcuaGateway } from './support';

describe('opcua-gateway commands reach only the PLC and the nodes they may', () => {
  let infra: Infra;
  const plcs: AsyncuaPlc[] = [];
  let gateway: ServiceProcess | undefined;
  let g: OpcuaGatewayUnderTest;
  let a: AsyncuaPlc;
  let b: AsyncuaPlc;
  beforeAll(async () => {
    infra = await sharedInfra();
    a = await AsyncuaPlc.start({ objects: 2 });
    plcs.push(a);
    b = await AsyncuaPlc.start({ objects: 2 });
    plcs.push(b);
    // Endpoints and device ids as zero-config gives them; only Pump1's Setpoint may be written.
    const endpoint = (plc: AsyncuaPlc) => ({ url: plc.url, writable: ['Pump1/Setpoint'] });
    g = await startOpcuaGateway(infra, { config: { endpoints: [endpoint(a), endpoint(b)] } });
    gateway = g.gateway;
    const ids = [`${a.defaultName}/Pump1`, `${a.defaultName}/Pump2`, `${b.defaultName}/Pump1`];
    await waitFor('both PLCs\' pumps in the device registry', async () => {
      const keys = new Set((await readTopic(g.brokers, g.topic('devices'))).map((r) => r.key));
      return ids.every((id) => keys.has(id));
    }, { timeoutMs: 30_000 });
  });
  afterAll(async () => {
    await gateway?.stop();
    await Promise.all(plcs.map((p) => p.kill()));
  });

  const send = async (deviceId: string, action: string, args: Record<string, unknown>) => {
    const sent = command(deviceId, action, { args });
    await produce(g.brokers, g.topic('commands'), deviceId, JSON.stringify(sent));
    return settledResults(g, sent);
  };

  it('keeps the two PLCs\' Pump1 apart: a write reaches only the PLC the device id names', async () => {
    const results = await send(`${a.defaultName}/Pump1`, 'write', { metric: 'Setpoint', value: 61 });
    expect(results.map((r) => [r.status, r.code])).toEqual([['succeeded', undefined]]);
    expect([(await a.read('Pump1/Setpoint')).value, (await b.read('Pump1/Setpoint')).value]).toEqual([61, 50]);
  });

  it('refuses a variable the endpoint does not make writable, and a raw NodeId, leaving the PLC untouched', async () => {
    // The server itself would accept both writes: Setpoint is writable on every pump.
    const notWritable = await send(`${a.defaultName}/Pump2`, 'write', { metric: 'Setpoint', value: 99 });
    expect(notWritable.map((r) => [r.status, r.code])).toEqual([['failed', 'FL_OPCUA_NOT_ALLOWED']]);
    expect(notWritable[0]?.detail).toMatch(/not writable/);

    const own = await a.read('Pump1/Setpoint');
    const raw = await send(`${a.defaultName}/Pump1`, 'write', { nodeId: own.nodeId, value: 99 });
    expect(raw.map((r) => [r.status, r.code])).toEqual([['failed', 'FL_OPCUA_NODE_ID_NOT_ALLOWED']]);

    const reset = await send(`${a.defaultName}/Pump1`, 'call', { method: 'Reset', inputs: [1] });
    expect(reset.map((r) => [r.status, r.code])).toEqual([['failed', 'FL_OPCUA_NOT_ALLOWED']]);

    expect([(await a.read('Pump2/Setpoint')).value, (await a.read('Pump1/Setpoint')).value, (await b.read('Pump1/Setpoint')).value]).toEqual([50, own.value, 50]);
  });
});
