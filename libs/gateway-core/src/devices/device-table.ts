import { type DeviceRecord } from '@fieldlink/schemas';

interface Entry {
  lastSeen: string;
  deviceId: string;
}

/**
 * The registry's records, at most `maxDevices` of them: beyond that the device seen least
 * recently (lowest lastSeen, then deviceId) is evicted. The order comes from the records, not
 * from when this instance read them, so instances that have read the same records hold the same
 * devices, and the owner and the router of a command decide alike (see CommandDispatcher).
 */
export class DeviceTable {
  private readonly records = new Map<string, DeviceRecord>();
  /** A min-heap by (lastSeen, deviceId). An entry whose record changed or went is skipped when it surfaces. */
  private heap: Entry[] = [];
  private evictedCount = 0;

  constructor(
    private readonly maxDevices: number,
    private readonly onEvict: (deviceId: string) => void,
  ) {}

  get size(): number {
    return this.records.size;
  }

  /** Devices evicted since start. */
  get evicted(): number {
    return this.evictedCount;
  }

  get(deviceId: string): DeviceRecord | undefined {
    return this.records.get(deviceId);
  }

  set(deviceId: string, record: DeviceRecord): void {
    this.records.set(deviceId, record);
    this.push({ lastSeen: record.lastSeen, deviceId });
    while (this.records.size > this.maxDevices) this.evictOldest();
    // Skipped entries pile up as devices are refreshed: rebuilt from the records now and then.
    if (this.heap.length > 2 * this.records.size + 1024) this.rebuild();
  }

  delete(deviceId: string): void {
    this.records.delete(deviceId);
  }

  private evictOldest(): void {
    const oldest = this.pop();
    if (!oldest || this.records.get(oldest.deviceId)?.lastSeen !== oldest.lastSeen) return;
    this.records.delete(oldest.deviceId);
    this.evictedCount++;
    this.onEvict(oldest.deviceId);
  }

  private rebuild(): void {
    // A sorted array is a valid min-heap.
    this.heap = [...this.records].map(([deviceId, r]) => ({ lastSeen: r.lastSeen, deviceId })).sort(compare);
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (compare(heap[parent], entry) <= 0) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = entry;
  }

  private pop(): Entry | undefined {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return last;
    const top = heap[0];
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && compare(heap[right], heap[left]) < 0 ? right : left;
      if (compare(heap[child], last) >= 0) break;
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = last;
    return top;
  }
}

/** lastSeen is an ISO 8601 UTC time, so the strings order as the times do. */
function compare(a: Entry, b: Entry): number {
  if (a.lastSeen !== b.lastSeen) return a.lastSeen < b.lastSeen ? -1 : 1;
  return a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0;
}
