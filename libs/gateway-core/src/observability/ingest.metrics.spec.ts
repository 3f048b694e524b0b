import { Registry } from 'prom-client';
import { IngestMetrics } from './ingest.metrics';

describe(IngestMetrics.name, () => {
  it('reports tallied counts once each, however often it is scraped', async () => {
    const registry = new Registry();
    const metrics = new IngestMetrics(registry);
    const m = metrics.of('m');
    m.received.inc();
    m.received.inc();
    m.forwarded('t').inc(3);
    metrics.of('m').forwarded('t').inc();
    const first = await registry.metrics();
    expect(first).toContain('fieldlink_ingest_received_total{mapping="m"} 2');
    expect(first).toContain('fieldlink_ingest_forwarded_total{mapping="m",topic="t"} 4');
    m.received.inc();
    const second = await registry.metrics();
    expect(second).toContain('fieldlink_ingest_received_total{mapping="m"} 3');
    expect(second).toContain('fieldlink_ingest_forwarded_total{mapping="m",topic="t"} 4');
  });
});
