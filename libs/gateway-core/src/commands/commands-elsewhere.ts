import { type Command } from '@fieldlink/schemas';

/** A command another instance was to deliver, and when this instance read it. */
export interface WaitingCommand {
  command: Command;
  readAt: number;
}

/**
 * The recent commands for devices another instance of this gateway serves: should this instance
 * take a device over (its owner died, or the device moved here), it delivers those the owner
 * never answered. At most `max` are kept, none older than `maxAgeMs`, oldest dropped first.
 */
export class CommandsElsewhere {
  private readonly waiting = new Map<string, WaitingCommand>();

  constructor(private readonly limits: { max: number; maxAgeMs: number }) {}

  get size(): number {
    return this.waiting.size;
  }

  add(command: Command, now: number): void {
    const key = `${command.deviceId}\u0000${command.id}`;
    this.waiting.delete(key);
    this.waiting.set(key, { command, readAt: now });
    for (const [oldest, entry] of this.waiting) {
      if (this.waiting.size <= this.limits.max && now - entry.readAt <= this.limits.maxAgeMs) break;
      this.waiting.delete(oldest);
    }
  }

  /** The device's waiting commands, in the order they were read, no longer kept here. */
  take(deviceId: string, now: number): WaitingCommand[] {
    const taken: WaitingCommand[] = [];
    for (const [key, entry] of this.waiting) {
      if (entry.command.deviceId !== deviceId) continue;
      this.waiting.delete(key);
      if (now - entry.readAt <= this.limits.maxAgeMs) taken.push(entry);
    }
    return taken;
  }
}
