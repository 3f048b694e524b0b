import { EventEmitter } from 'node:events';
import pino from 'pino';
import { Registry } from 'prom-client';
import { ProcessFaults } from './process-faults';

async function count(registry: Registry, kind: string): Promise<number> {
  const metric = await registry.getSingleMetric('fieldlink_process_faults_total')?.get();
  return metric?.values.find((v) => v.labels['kind'] === kind)?.value ?? 0;
}

describe('ProcessFaults', () => {
  it('counts an unhandled rejection and stays live', async () => {
    const registry = new Registry();
    const target = new EventEmitter();
    const faults = new ProcessFaults(registry, pino({ level: 'silent' }));
    faults.install(target);
    target.emit('unhandledRejection', new Error('nobody awaited this'), Promise.resolve());
    expect(await count(registry, 'rejection')).toBe(1);
    expect(faults.brokenBy).toBeUndefined();
  });

  it('after an uncaught exception, counts it and names it as the reason liveness fails', async () => {
    const registry = new Registry();
    const target = new EventEmitter();
    const faults = new ProcessFaults(registry, pino({ level: 'silent' }));
    faults.install(target);
    target.emit('uncaughtException', new Error('No reply in 247 seconds.'), 'uncaughtException');
    target.emit('uncaughtException', new Error('a second one'), 'uncaughtException');
    expect(await count(registry, 'exception')).toBe(2);
    expect(faults.brokenBy).toBe('uncaughtException: No reply in 247 seconds.');
  });
});
