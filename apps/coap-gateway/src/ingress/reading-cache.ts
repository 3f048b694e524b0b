import { type RawContentFormat } from './content-format';

export interface CachedReading {
  payload: Buffer;
  format: RawContentFormat;
}

export interface ReadingCacheLimits {
  /** Devices whose last reading is kept. */
  maxDevices: number;
  /** Payload bytes kept over all devices. */
  maxBytes: number;
}

/**
 * The last reading of each device, least recently used first out: a stream of readings with
 * new deviceIds (random ones from a hostile sender, say) holds at most `maxDevices` readings
 * and `maxBytes` of payload. An evicted device's GET answers 4.04 until it sends again.
 */
export class ReadingCache {
  /** In the order of last use: a set or a get moves the device to the end. */
  private readonly readings = new Map<string, CachedReading>();
  private held = 0;

  constructor(
    private readonly limits: ReadingCacheLimits,
    private readonly onEvict: () => void = () => undefined,
  ) {}

  get size(): number {
    return this.readings.size;
  }

  get bytes(): number {
    return this.held;
  }

  set(deviceId: string, reading: CachedReading): void {
    this.delete(deviceId);
    // A reading larger than the whole cache is not kept (the device's older one is gone all the
    // same), and none is with maxDevices 0.
    if (reading.payload.length > this.limits.maxBytes || this.limits.maxDevices === 0) return;
    this.readings.set(deviceId, { ...reading, payload: exact(reading.payload) });
    this.held += reading.payload.length;
    for (const [oldest] of this.readings) {
      if (this.readings.size <= this.limits.maxDevices && this.held <= this.limits.maxBytes) break;
      this.delete(oldest);
      this.onEvict();
    }
  }

  get(deviceId: string): CachedReading | undefined {
    const reading = this.readings.get(deviceId);
    if (reading) {
      this.readings.delete(deviceId);
      this.readings.set(deviceId, reading);
    }
    return reading;
  }

  private delete(deviceId: string): void {
    const reading = this.readings.get(deviceId);
    if (!reading) return;
    this.held -= reading.payload.length;
    this.readings.delete(deviceId);
  }
}

/** A view into a larger buffer (Node's 8 KiB pool, a datagram) would keep all of it alive: keep an exact copy instead. */
function exact(payload: Buffer): Buffer {
  if (payload.byteOffset === 0 && payload.byteLength === payload.buffer.byteLength) return payload;
  const copy = Buffer.allocUnsafeSlow(payload.length);
  payload.copy(copy);
  return copy;
}
