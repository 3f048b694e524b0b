import { Counter, Gauge, type Registry } from 'prom-client';

/** The device registry's size and what it forgets to stay within devices.maxDevices. */
export class DeviceRegistryMetrics {
  readonly evicted: Counter;

  constructor(registry: Registry, state: { devices: () => number }) {
    this.evicted = new Counter({
      name: 'fieldlink_device_registry_evicted_total',
      help: 'Devices the registry forgot (seen least recently first) to stay within devices.maxDevices',
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
