import { type Command } from '@fieldlink/schemas';

/** A command another instance was to deliver, and when this instance read it. */
export interface WaitingCommand {
  command: Command;
  readAt: number;
  /** Its size as JSON, counted against maxBytes. */
  bytes: number;
}

/**
 * The recent commands for devices another instance of this gateway serves: should this instance
 * take a device over (its owner died, or the device moved here), it delivers those the owner
 * never answered. At most `max` are kept, `maxBytes` of them as JSON, none older than `maxAgeMs`,
 * oldest dropped first.
 */
export class CommandsElsewhere {
  private readonly waiting = new Map<string, WaitingCommand>();
  /** How many are waiting per device: a device with none (nearly every one that moves) is answered at once. */
  private readonly perDevice = new Map<string, number>();

  private bytes = 0;

  constructor(private readonly limits: { max: number; maxBytes: number; maxAgeMs: number }) {}

  get size(): number {
    return this.waiting.size;
  }

  add(command: Command, now: number): void {
    const key = `${command.deviceId}\u0000${command.id}`;
    this.remove(key);
    const bytes = Buffer.byteLength(JSON.stringify(command));
    this.waiting.set(key, { command, readAt: now, bytes });
    this.bytes += bytes;
    this.perDevice.set(command.deviceId, (this.perDevice.get(command.deviceId) ?? 0) + 1);
    for (const [oldest, entry] of this.waiting) {
      if (this.waiting.size <= this.limits.max && this.bytes <= this.limits.maxBytes && now - entry.readAt <= this.limits.maxAgeMs) break;
      this.remove(oldest);
    }
  }

  /** The device's waiting commands, in the order they were read, no longer kept here. */
  take(deviceId: string, now: number): WaitingCommand[] {
    const taken: WaitingCommand[] = [];
    if (!this.perDevice.has(deviceId)) return taken;
    for (const [key, entry] of this.waiting) {
      if (entry.command.deviceId !== deviceId) continue;
      this.remove(key);
      if (now - entry.readAt <= this.limits.maxAgeMs) taken.push(entry);
    }
    return taken;
  }

  private remove(key: string): void {
    const entry = this.waiting.get(key);
    if (!entry) return;
    this.waiting.delete(key);
    this.bytes -= entry.bytes;
    const left = (this.perDevice.get(entry.command.deviceId) ?? 1) - 1;
    if (left > 0) this.perDevice.set(entry.command.deviceId, left);
    else this.perDevice.delete(entry.command.deviceId);
  }
}
