import { type DeviceRecord } from '@fieldlink/schemas';
import fc from 'fast-check';
import { DeviceTable } from './device-table';

const record = (deviceId: string, second: number): DeviceRecord => ({
  schemaVersion: 1,
  deviceId,
  protocol: 'coap',
  gateway: 'gw-1',
  ref: `/sensors/${deviceId}`,
  route: 'sensors',
  firstSeen: '2026-01-01T00:00:00.000Z',
  lastSeen: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(),
});

describe(DeviceTable.name, () => {
  it('forgets the device seen least recently (lastSeen, then deviceId) beyond maxDevices, and says which', () => {
    const evicted: string[] = [];
    const table = new DeviceTable(2, (id) => evicted.push(id));
    table.set('b', record('b', 5));
    table.set('a', record('a', 5));
    table.set('c', record('c', 9));
    expect(evicted).toEqual(['a']);
    table.set('b', record('b', 20));
    table.set('d', record('d', 10));
    expect(evicted).toEqual(['a', 'c']);
    expect([table.size, table.evicted, table.get('b')?.lastSeen, table.get('d')?.deviceId]).toEqual([2, 2, record('b', 20).lastSeen, 'd']);
  });

  it('holds the maxDevices most recently seen devices, whatever the order the records arrive in, so every instance holds the same', () => {
    // Each device's lastSeen only grows, as the instance that serves it rewrites it.
    const sightings = fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 59 })), { maxLength: 200 });
    fc.assert(
      fc.property(sightings, fc.integer({ min: 1, max: 12 }), fc.infiniteStream(fc.integer()), (raw, max, randoms) => {
        const latest = new Map<string, number>();
        const sorted = raw.map(([d, s]) => [`d${d}`, s] as const).sort((x, y) => x[1] - y[1]);
        for (const [id, second] of sorted) latest.set(id, second);
        const expected = [...latest]
          .sort(([ia, sa], [ib, sb]) => sb - sa || (ia < ib ? 1 : ia > ib ? -1 : 0))
          .slice(0, max)
          .map(([id]) => id)
          .sort();
        // Two instances reading the same records in different partition interleavings.
        const shuffled = sorted.map((s) => [s, randoms.next().value] as const).sort((a, b) => a[1] - b[1]).map(([s]) => s);
        const byDevice = new Map<string, number[]>();
        for (const [id, second] of shuffled) byDevice.set(id, [...(byDevice.get(id) ?? []), second]);
        const interleaved = [...byDevice].flatMap(([id, seconds]) => seconds.sort((a, b) => a - b).map((s) => [id, s] as const));
        for (const order of [sorted, interleaved]) {
          const table = new DeviceTable(max, () => undefined);
          for (const [id, second] of order) table.set(id, record(id, second));
          expect([...latest.keys()].filter((id) => table.get(id)).sort()).toEqual(expected);
        }
      }),
    );
  });

  it('keeps its heap to a few entries per device however often devices are refreshed', () => {
    const table = new DeviceTable(10, () => undefined);
    for (let i = 0; i < 20_000; i++) table.set(`d${i % 5}`, record(`d${i % 5}`, i % 60));
    expect(table.size).toBe(5);
    expect((table as unknown as { heap: unknown[] }).heap.length).toBeLessThanOrEqual(2 * 5 + 1024 + 1);
  });
});
