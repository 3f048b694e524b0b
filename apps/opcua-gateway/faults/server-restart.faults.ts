import { type DeviceStatus } from '@fieldlink/schemas';
import { type Infra, type ServiceProcess, readTopic, sharedInfra, waitFor } from '@fieldlink/testing';
import { AsyncuaPlc, startOpcuaGateway } from '../test/support';

const RESTARTS = 5;
const ITEMS = 2 * 6;

describe('opcua-gateway when its OPC UA server restarts', () => {
  let infra: Infra;
  let plc: AsyncuaPlc | undefined;
  let gateway: ServiceProcess | undefined;
  beforeAll(async () => {
    infra = await sharedInfra();
  });
  afterAll(async () => {
    await gateway?.stop();
    await plc?.kill();
  });

  it(`recreates the session, the subscription and every monitored item within 10 s, ${RESTARTS} times, reports each gap, and never holds two sessions`, async () => {
    plc = await AsyncuaPlc.start({ objects: 2 });
    const g = await startOpcuaGateway(infra, {
      config: { opcua: { reconnect: { initialDelayMs: 200, maxDelayMs: 1000 } }, endpoints: [{ name: 'plc', url: plc.url }] },
    });
    gateway = g.gateway;
    const monitored = () => g.gateway.metric('fieldlink_opcua_monitored_items', { endpoint: 'plc' });
    await waitFor('every item monitored', async () => (await monitored()) === ITEMS, { timeoutMs: 30_000 });
    const recovery: number[] = [];
    for (let i = 0; i < RESTARTS; i++) {
      await plc.kill();
      await waitFor('the gateway to see the server gone', async () => (await g.gateway.metric('fieldlink_opcua_endpoint_connected', { endpoint: 'plc' })) === 0, { timeoutMs: 15_000 });
      expect(await monitored()).toBe(0);
      await plc.spawn();
      const back = Date.now();
      await waitFor(`every item monitored again after restart ${i + 1}`, async () => (await monitored()) === ITEMS && plc?.sessions === 1, { timeoutMs: 10_000, intervalMs: 50 });
      recovery.push(Date.now() - back);
      // Checked on the server: one activated session at a time, never two.
      expect(plc.maxSessions).toBe(1);
    }
    expect(recovery.every((ms) => ms < 10_000)).toBe(true);
    const restartedAt = Date.now();
    await waitFor('telemetry after the last restart', async () => (await readTopic(g.brokers, g.topic('telemetry'))).some((r) => Date.parse((JSON.parse(r.payload ?? '{}') as { receiveTime: string }).receiveTime) > restartedAt), { timeoutMs: 15_000 });
    const gaps = await waitFor(`${RESTARTS} gaps reported`, async () => {
      const records = (await readTopic(g.brokers, g.topic('device-status'))).map((r) => JSON.parse(r.payload ?? '') as DeviceStatus).filter((s) => s.deviceId === 'plc');
      return records.filter((s) => s.status === 'online').length === RESTARTS ? records : false;
    });
    expect(gaps.map((s) => s.status)).toEqual(Array.from({ length: RESTARTS }, () => ['offline', 'online']).flat());
    for (const online of gaps.filter((s) => s.status === 'online')) {
      expect(online.detail).toMatchObject({ endpoint: 'plc', monitoredItems: ITEMS });
      expect(Number(online.detail?.['gapMs'])).toBeGreaterThan(0);
    }
    // Every device on the endpoint gets its own records too, keyed by its id.
    const pump = (await readTopic(g.brokers, g.topic('device-status'))).filter((r) => r.key === 'plc/Pump1');
    expect(pump).toHaveLength(2 * RESTARTS);
    expect(await g.gateway.metric('fieldlink_opcua_gaps_total', { endpoint: 'plc' })).toBe(RESTARTS);
    process.stdout.write(`opcua restart: items back ${recovery.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')} after each of ${RESTARTS} restarts\n`);
  });
});
