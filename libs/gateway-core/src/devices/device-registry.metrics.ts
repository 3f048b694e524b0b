import { Counter, Gauge, type Registry } from 'prom-client';

/** The device registry's size and what it forgets to stay within devices.maxDevices. */
export class DeviceRegistryMetrics {
  readonly evicted: Counter;
  readonly refusedTakeovers: Counter<'protocol'>;

  constructor(registry: Registry, state: { devices: () => number }) {
    this.refusedTakeovers = new Counter({
      name: 'fieldlink_device_registry_refused_takeovers_total',
      help: "Messages naming a device another protocol's gateway serves (seen within two refresh periods); the device stays there, by the serving protocol",
      labelNames: ['protocol'],
      registers: [registry],
    });
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
