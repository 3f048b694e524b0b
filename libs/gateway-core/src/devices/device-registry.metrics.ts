import { Counter, Gauge, type Registry } from 'prom-client';

/** The device registry's size, what it forgets to stay within devices.maxDevices, and the claims it refuses. */
export class DeviceRegistryMetrics {
  readonly evicted: Counter;
  readonly claimsRefused: Counter<'owner'>;

  constructor(registry: Registry, state: { devices: () => number }) {
    this.evicted = new Counter({
      name: 'fieldlink_device_registry_evicted_total',
      help: 'Devices the registry forgot (seen least recently first) to stay within devices.maxDevices',
      registers: [registry],
    });
    this.claimsRefused = new Counter({
      name: 'fieldlink_device_claims_refused_total',
      help: 'Messages naming a device the registry has under another protocol, which therefore did not take it (devices.claimFromOtherProtocols), by the protocol that keeps it',
      labelNames: ['owner'],
      registers: [registry],
    });
    new Gauge({
      name: 'fieldlink_device_registry_devices',
      help: 'Devices the registry holds, of every gateway',
      registers: [registry],
      collect() {
        this.set(state.devices());
      },
    });
  }
}
