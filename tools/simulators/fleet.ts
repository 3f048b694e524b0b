/**
 * What every protocol's simulator shares: the command line, a fleet of simulated devices on one
 * clock, the anomaly injector, how a device obeys a command, progress lines and a clean stop.
 * A simulator adds only its transport.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { type DeviceClass } from './device-classes';
import { AnomalyInjector, SimulatedDevice, seededRandom } from './telemetry';

export interface FleetTransport {
  /** Sends one reading; a failure is logged and counted, the fleet goes on. */
  send(device: SimulatedDevice, values: Record<string, number>, now: number): void | Promise<void>;
  close(): void | Promise<void>;
}

export interface FleetSpec extends DeviceClass {
  name: string;
  /** Ids of the devices; default `<prefix>-001`… */
  ids?: (count: number) => string[];
}

export const FLEET_OPTIONS = {
  devices: { type: 'string', default: '5' },
  'interval-ms': { type: 'string', default: '1000' },
  seed: { type: 'string', default: '1' },
  'first-anomaly-ms': { type: 'string', default: '75000' },
  'anomaly-every-ms': { type: 'string', default: '60000' },
  'restart-after-ms': { type: 'string', default: '30000' },
} as const satisfies ParseArgsConfig['options'];

/** Parses the shared options and the simulator's own; a bad number exits 2 with the option's name. */
export function fleetArgs(own: ParseArgsConfig['options']) {
  // Every option here is a string; the simulator reads its own ones by name.
  const values = parseArgs({ options: { ...FLEET_OPTIONS, ...own }, strict: true }).values as Record<string, string | undefined>;
  const int = (name: keyof typeof FLEET_OPTIONS, min: number): number => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < min) {
      console.error(`--${name} must be an integer >= ${min}, got ${String(values[name])}`);
      process.exit(2);
    }
    return value;
  };
  return {
    values,
    devices: int('devices', 1),
    intervalMs: int('interval-ms', 10),
    seed: int('seed', 0),
    firstAnomalyMs: int('first-anomaly-ms', 0),
    anomalyEveryMs: int('anomaly-every-ms', 1000),
    restartAfterMs: int('restart-after-ms', 0),
  };
}

export type FleetArgs = ReturnType<typeof fleetArgs>;

export class Fleet {
  readonly devices: SimulatedDevice[];
  private readonly injector: AnomalyInjector;
  private sent = 0;
  private failed = 0;
  private lastError = '';
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly spec: FleetSpec,
    private readonly args: FleetArgs,
  ) {
    const random = seededRandom(args.seed);
    const ids = spec.ids?.(args.devices) ?? Array.from({ length: args.devices }, (_, i) => `${spec.prefix}-${String(i + 1).padStart(3, '0')}`);
    this.devices = ids.map((id) => new SimulatedDevice(id, spec.metrics, random));
    const schedule = { firstAfterMs: args.firstAnomalyMs, everyMs: args.anomalyEveryMs, firstMetric: spec.ruledMetric };
    this.injector = new AnomalyInjector(this.devices, schedule, args.intervalMs, random);
  }

  device(id: string): SimulatedDevice | undefined {
    return this.devices.find((d) => d.id === id);
  }

  /** Starts the clock and the injector, and stops cleanly on SIGINT or SIGTERM. */
  run(transport: FleetTransport, target: string): void {
    const tick = (): void => {
      const now = Date.now();
      for (const device of this.devices) {
        const values = device.reading(now);
        if (!values) continue;
        const sent = Promise.resolve().then(() => transport.send(device, values, now));
        sent.then(
          () => this.sent++,
          (error: unknown) => {
            this.failed++;
            this.lastError = error instanceof Error ? error.message : String(error);
          },
        );
      }
    };
    this.timers.push(setInterval(tick, this.args.intervalMs));
    this.timers.push(setInterval(() => this.progress(), 10_000));
    this.injector.start();
    console.log(
      `[${this.spec.name}] ${this.devices.length} devices (${this.devices[0]?.id}…) sending every ${this.args.intervalMs} ms to ${target}; ` +
        `first anomaly in ${this.args.firstAnomalyMs / 1000} s, then one every ${this.args.anomalyEveryMs / 1000} s (seed ${this.args.seed})`,
    );
    const stop = (): void => {
      this.timers.forEach((t) => clearInterval(t));
      this.injector.stop();
      console.log(`[${this.spec.name}] stopping`);
      void Promise.resolve()
        .then(() => transport.close())
        .finally(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }

  /** Logs a command and acts on it the way a real device would; returns what it did. */
  obey(deviceId: string, command: DeviceCommand): string {
    const device = this.device(deviceId);
    const action = typeof command.action === 'string' ? command.action : '(none)';
    let effect: string;
    if (!device) effect = 'unknown device';
    else if (action === 'shutdown') {
      device.stop(Date.now(), this.args.restartAfterMs);
      effect = `stopped, back in ${this.args.restartAfterMs / 1000} s`;
    } else if (action === 'start') {
      device.stop(Date.now(), 0);
      effect = 'running';
    } else effect = 'applied';
    const id = typeof command.id === 'string' ? command.id : '';
    console.log(`[${deviceId}] command ${id} ${action} ${JSON.stringify(command.args ?? {})}: ${effect}`);
    return effect;
  }

  private progress(): void {
    const silent = this.devices.filter((d) => d.silent).length;
    const errors = this.failed > 0 ? `, ${this.failed} failed (last: ${this.lastError})` : '';
    console.log(`[${this.spec.name}] ${this.sent} readings sent${errors}${silent > 0 ? `, ${silent} devices silent` : ''}`);
  }
}

export interface DeviceCommand {
  id?: unknown;
  action?: unknown;
  args?: unknown;
}

/** A command payload as JSON; one a device cannot read is still logged, as unreadable. */
export function parseCommand(payload: Buffer): DeviceCommand {
  try {
    return JSON.parse(payload.toString()) as DeviceCommand;
  } catch {
    return { action: `(unreadable: ${payload.toString().slice(0, 40)})` };
  }
}
