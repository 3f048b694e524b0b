import { type DeviceStatus, type Telemetry } from '@fieldlink/schemas';
import { type Infra, ServiceProcess, freePort, readTopic, sharedInfra, waitFor, writeConfig } from '@fieldlink/testing';
import { AsyncuaPlc, type OpcuaGatewayUnderTest, startOpcuaGateway } from './support';

const PUMP_NAMES = ['Pump1', 'Pump2', 'Pump3'];
const METRICS = ['Temperature', 'Pressure', 'Running', 'Odometer', 'Vibration[0]', 'Vibration[1]', 'Vibration[2]', 'Setpoint'];

async function telemetry(g: OpcuaGatewayUnderTest): Promise<{ key: string | null; value: Telemetry }[]> {
  return (await readTopic(g.brokers, g.topic('telemetry'))).map((r) => ({ key: r.key, value: JSON.parse(r.payload ?? '') as Telemetry }));
}

async function statuses(g: OpcuaGatewayUnderTest): Promise<DeviceStatus[]> {
  return (await readTopic(g.brokers, g.topic('device-status'))).map((r) => JSON.parse(r.payload ?? '') as DeviceStatus);
}

describe('opcua-gateway against an independent OPC UA server (Python asyncua)', () => {
  let infra: Infra;
  const plcs: AsyncuaPlc[] = [];
  const gateways: ServiceProcess[] = [];
  beforeAll(async () => {
    infra = await sharedInfra();
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await Promise.all(plcs.map((p) => p.kill()));
  });

  it('discovers every variable with only OPCUA_ENDPOINTS set and streams the changes keyed per endpoint and object, with quality and both timestamps', async () => {
    const plc = await AsyncuaPlc.start({ objects: 3 });
    plcs.push(plc);
    const PUMPS = PUMP_NAMES.map((name) => `${plc.defaultName}/${name}`);
    const g = await startOpcuaGateway(infra, { env: { OPCUA_ENDPOINTS: plc.url } });
    gateways.push(g.gateway);
    const records = await waitFor(
      'every metric of every pump in Kafka',
      async () => {
        const all = await telemetry(g);
        const complete = PUMPS.every((pump) => METRICS.every((m) => all.some((r) => r.value.deviceId === pump && m in r.value.values)));
        return complete ? all : false;
      },
      { timeoutMs: 60_000 },
    );
    expect(new Set(records.map((r) => r.value.deviceId))).toEqual(new Set(PUMPS));
    for (const { key, value } of records) {
      expect(key).toBe(value.deviceId);
      expect(value.source).toMatchObject({ protocol: 'opcua', gateway: g.root });
      expect(value.source.ref).toMatch(/^ns=\d+;i=\d+$/);
      expect(value.serverTime).toBeDefined();
      // The source timestamp is the event time; the server's own stamp is kept beside it.
      expect(Date.parse(value.eventTime)).toBeLessThanOrEqual(Date.parse(value.receiveTime));
      for (const metric of Object.values(value.values)) expect(metric.quality).toBe(0);
    }
    const odometer = records.find((r) => r.value.deviceId === `${plc.defaultName}/Pump2` && 'Odometer' in r.value.values)?.value.values['Odometer']?.value;
    // Int64 beyond 2^53 arrives as the exact decimal string, never rounded.
    expect(typeof odometer).toBe('string');
    expect(BigInt(odometer as string) > 2n ** 60n).toBe(true);
    expect((BigInt(odometer as string) - 2n ** 60n - 2n) % 10n).toBe(0n);
    const running = records.find((r) => 'Running' in r.value.values)?.value.values['Running']?.value;
    expect(running).toBe(true);
    expect(await g.gateway.metric('fieldlink_opcua_monitored_items')).toBe(PUMPS.length * 6);
    expect(plc.sessions).toBe(1);
  });

  it('reports an unreachable endpoint as device-status offline and serves the other endpoint meanwhile', async () => {
    const plc = await AsyncuaPlc.start({ objects: 1 });
    plcs.push(plc);
    const closed = await freePort();
    const g = await startOpcuaGateway(infra, {
      config: {
        opcua: { reconnect: { initialDelayMs: 200, maxDelayMs: 2000 } },
        endpoints: [
          { name: 'dead-plc', url: `opc.tcp://127.0.0.1:${closed}` },
          { name: 'live-plc', url: plc.url },
        ],
      },
    });
    gateways.push(g.gateway);
    const offline = await waitFor('an offline record for dead-plc', async () => (await statuses(g)).find((s) => s.deviceId === 'dead-plc' && s.status === 'offline'), { timeoutMs: 30_000 });
    expect(offline.detail).toMatchObject({ endpoint: 'dead-plc', reason: 'unreachable' });
    expect(String(offline.detail?.['message'])).toContain(`127.0.0.1:${closed}`);
    await waitFor('telemetry from live-plc', async () => (await telemetry(g)).some((r) => r.value.deviceId === 'live-plc/Pump1'), { timeoutMs: 30_000 });
    expect(await g.gateway.metric('fieldlink_opcua_endpoint_connected', { endpoint: 'dead-plc' })).toBe(0);
    expect(await g.gateway.metric('fieldlink_opcua_endpoint_connected', { endpoint: 'live-plc' })).toBe(1);
    // Ready: one endpoint down does not take the gateway out of service for the others.
    expect((await g.gateway.get('/health/ready')).status).toBe(200);
    const failures = await waitFor('several attempts at dead-plc', async () => {
      const n = await g.gateway.metric('fieldlink_opcua_connect_failures_total', { endpoint: 'dead-plc', reason: 'unreachable' });
      return n >= 3 ? n : false;
    });
    expect(failures).toBeGreaterThanOrEqual(3);
    // One offline record per gap, however many attempts fail within it.
    expect((await statuses(g)).filter((s) => s.deviceId === 'dead-plc')).toHaveLength(1);
    expect(g.gateway.running).toBe(true);
  });

  it.each([
    [{ endpoints: [{ url: 'opc.tcp://127.0.0.1:4840', securityMode: 'Sign' }] }, 'config key \\"endpoints.0.securityPolicy\\": securityMode Sign needs a policy'],
    [{ opcua: { requireSecurity: true }, endpoints: [{ url: 'opc.tcp://127.0.0.1:4840' }] }, 'config key \\"endpoints.0.securityMode\\": is None, but opcua.requireSecurity refuses'],
    [{ endpoints: [{ url: 'http://127.0.0.1:4840' }] }, 'config key \\"endpoints.0.url\\"'],
    [{ endpoints: [{ url: 'opc.tcp://a:1', securityMode: 'Sign', securityPolicy: 'Basic256Sha256', identity: { type: 'username', username: 'op', passwordEnv: 'NO_SUCH_VAR_XYZ' } }] }, 'config key \\"endpoints.0.identity.passwordEnv\\": environment variable NO_SUCH_VAR_XYZ is not set'],
    [{ endpoints: [{ url: 'opc.tcp://a:1', identity: { type: 'username', username: 'op', passwordEnv: 'NO_SUCH_VAR_XYZ' } }] }, 'config key \\"endpoints.0.securityMode\\": is None, which would use the username identity'],
  ])('exits 2 on an invalid config, naming the key (%#)', async (config, message) => {
    const service = await ServiceProcess.start('opcua-gateway', { FIELDLINK_CONFIG: writeConfig(config) }, { waitReady: false });
    expect(await service.waitExit()).toBe(2);
    expect(service.logs).toContain(message);
  });
});
