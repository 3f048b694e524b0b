import { setTimeout as hold } from 'node:timers/promises';
import { type Telemetry } from '@fieldlink/schemas';
import { type Infra, LocalService, readTopic, sharedInfra, waitFor } from '@fieldlink/testing';
import { AsyncuaPlc, type OpcuaGatewayUnderTest, startOpcuaGateway } from '../test/support';

const TICK_MS = 2000;
const DOWN_MS = 40_000;
// Longer than the outage plus the time Kafka takes to come back, so a gap cannot hide at the end.
const AFTER_TICKS = 10;

/** The PLC's Odometer is 2^60 + tick * 10 + object: one new value per tick. */
const tickOf = (odometer: string): number => Number((BigInt(odometer) - 2n ** 60n - 1n) / 10n);

describe('opcua-gateway while Kafka is away, sharding on', () => {
  let infra: Infra;
  let kafka: LocalService | undefined;
  let plc: AsyncuaPlc | undefined;
  let g: OpcuaGatewayUnderTest | undefined;
  beforeAll(async () => {
    infra = await sharedInfra();
  });
  afterAll(async () => {
    await g?.gateway.kill();
    await plc?.kill();
    await kafka?.dispose();
  });

  it(`keeps reading a PLC through a ${DOWN_MS / 1000} s Kafka outage: every value of a counter changing every ${TICK_MS / 1000} s reaches Kafka`, async () => {
    kafka = await LocalService.kafka();
    plc = await AsyncuaPlc.start({ objects: 1, intervalMs: TICK_MS });
    const gateway = await startOpcuaGateway(infra, {
      config: { opcua: { reconnect: { initialDelayMs: 200, maxDelayMs: 1000 } }, endpoints: [{ name: 'plc', url: plc.url }] },
      env: { KAFKA_BROKERS: kafka.address },
    });
    g = gateway;
    const broker = kafka;
    const ticks = async (): Promise<number[]> => {
      const records = await readTopic(broker.address, gateway.topic('telemetry'));
      const values = records.map((r) => (JSON.parse(r.payload ?? '{}') as Telemetry).values['Odometer']?.value).filter((v): v is string => typeof v === 'string');
      return [...new Set(values.map(tickOf))].sort((a, b) => a - b);
    };
    const first = await waitFor('the counter in Kafka', async () => (await ticks())[0], { timeoutMs: 60_000, intervalMs: 500 });
    expect(await gateway.gateway.metric('fieldlink_opcua_endpoints_owned')).toBe(1);

    await broker.kill();
    // The outage is the fault being injected, so it is held for its full length.
    await hold(DOWN_MS);
    // Past the group's session timeout (10 s) without a heartbeat, the replica still serves its PLC.
    const ownedDuringOutage = await gateway.gateway.metric('fieldlink_opcua_endpoints_owned');
    const connectedDuringOutage = await gateway.gateway.metric('fieldlink_opcua_endpoint_connected', { endpoint: 'plc' });
    await broker.start();

    const seen = await waitFor(
      `${AFTER_TICKS} ticks after Kafka's return`,
      async () => {
        const all = await ticks();
        const last = all[all.length - 1] ?? first;
        return last - first >= DOWN_MS / TICK_MS + AFTER_TICKS ? all : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
    const last = seen[seen.length - 1] ?? first;
    const missing = Array.from({ length: last - first + 1 }, (_, i) => first + i).filter((t) => !seen.includes(t));
    process.stdout.write(`[faults] opcua-gateway, Kafka down ${DOWN_MS / 1000} s: counter ticks ${first}..${last} in Kafka, ${missing.length} missing; endpoint owned ${ownedDuringOutage}, connected ${connectedDuringOutage} at the end of the outage\n`);
    expect({ ownedDuringOutage, connectedDuringOutage }).toEqual({ ownedDuringOutage: 1, connectedDuringOutage: 1 });
    expect(missing).toEqual([]);
  }, 300_000);
});
