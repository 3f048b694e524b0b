import { Histogram, Registry } from 'prom-client';
import { TalliedHistogram } from './tallied-histogram';

describe(TalliedHistogram.name, () => {
  it('is scraped exactly as prom-client scrapes a Histogram of the same observations', async () => {
    const bounds = [0.001, 0.01, 0.1, 1];
    const ours = new Registry();
    const theirs = new Registry();
    const tallied = new TalliedHistogram('x_seconds', 'help text', 'mapping', bounds, ours);
    const reference = new Histogram({ name: 'x_seconds', help: 'help text', labelNames: ['mapping'], buckets: bounds, registers: [theirs] });
    const observations: [string, number][] = [['a', 0.0005], ['a', 0.001], ['a', 0.05], ['b', 3], ['a', 0.25], ['b', 0.0101], ['a', 1]];
    for (const [mapping, value] of observations) {
      tallied.of(mapping).observe(value);
      reference.observe({ mapping }, value);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.metrics()).toContain('x_seconds_bucket{le="+Inf",mapping="b"} 2');
  });

  it('starts over when the registry is reset', async () => {
    const registry = new Registry();
    const tallied = new TalliedHistogram('y_seconds', 'h', 'mapping', [1], registry);
    tallied.of('a').observe(0.5);
    registry.resetMetrics();
    expect(await registry.metrics()).not.toContain('y_seconds_count');
  });
});
