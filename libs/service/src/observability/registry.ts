import { Registry, collectDefaultMetrics } from 'prom-client';

/** A fresh registry per service, with process metrics. */
export function createRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}
