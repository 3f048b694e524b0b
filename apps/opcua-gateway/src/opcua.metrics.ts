import { Counter, Gauge, type Registry } from 'prom-client';

/** An endpoint this replica owns, as the gauges show it. */
export interface ServedEndpoint {
  name: string;
  connected: boolean;
  monitoredItems: number;
}

/** The OPC UA gateway's own metrics; the pipeline's and the spool's come from gateway-core. */
export class OpcuaMetrics {
  readonly connectFailures: Counter<'endpoint' | 'reason'>;
  readonly gaps: Counter<'endpoint'>;

  constructor(registry: Registry, served: () => ServedEndpoint[]) {
    this.connectFailures = new Counter({ name: 'fieldlink_opcua_connect_failures_total', help: 'Failed or lost OPC UA sessions, by endpoint and reason', labelNames: ['endpoint', 'reason'], registers: [registry] });
    this.gaps = new Counter({ name: 'fieldlink_opcua_gaps_total', help: 'Times an endpoint was lost after having been up', labelNames: ['endpoint'], registers: [registry] });
    const perEndpoint = (name: string, help: string, read: (e: ServedEndpoint) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['endpoint'],
        registers: [registry],
        collect() {
          this.reset();
          for (const endpoint of served()) this.set({ endpoint: endpoint.name }, read(endpoint));
        },
      });
    perEndpoint(
      'fieldlink_opcua_endpoint_connected',
      '1 while this replica holds a session to the endpoint and monitors its items, 0 while it tries to; endpoints other replicas own are absent',
      (e) => (e.connected ? 1 : 0),
    );
    perEndpoint('fieldlink_opcua_monitored_items', 'Monitored items the server accepted, per endpoint this replica owns', (e) => e.monitoredItems);
    new Gauge({ name: 'fieldlink_opcua_endpoints_owned', help: 'Endpoints this replica owns', registers: [registry], collect() { this.set(served().length); } });
  }
}
