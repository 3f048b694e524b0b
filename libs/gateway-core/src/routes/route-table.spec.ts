import { ServiceError } from '@fieldlink/service';
import { type RouteMatcher } from './route-matcher';
import { RouteTable } from './route-table';
import { type RouteConfig } from './route.schema';

/** A stand-in for a protocol's matcher: `{name}` captures one level, a last `#` matches the rest. */
class LevelPattern implements RouteMatcher<string> {
  private readonly levels: string[];

  constructor(template: string) {
    this.levels = template.split('/');
    if (this.levels.slice(0, -1).includes('#')) throw new Error(`"#" must be the last level of ${template}`);
  }

  get names(): string[] {
    return this.levels.filter((l) => l.startsWith('{')).map((l) => l.slice(1, -1));
  }

  match(native: string): Record<string, string> | undefined {
    const parts = native.split('/');
    const captures: Record<string, string> = {};
    for (const [i, level] of this.levels.entries()) {
      if (level === '#') return captures;
      const part = parts[i];
      if (part === undefined) return undefined;
      if (level.startsWith('{')) captures[level.slice(1, -1)] = part;
      else if (level !== part) return undefined;
    }
    return parts.length === this.levels.length ? captures : undefined;
  }
}

type TopicRoute = RouteConfig & { topic: string };
const route = (over: Partial<TopicRoute>): TopicRoute => ({ name: 'r', topic: 'edge/{deviceId}/data', kind: 'telemetry', decoder: 'json', deviceId: '{deviceId}', ...over });
const table = (routes: TopicRoute[]) => new RouteTable<string, TopicRoute>(routes, (r) => new LevelPattern(r.topic), 'mappings', 'topic');

describe(RouteTable.name, () => {
  it('takes the first matching route, with the deviceId and the other captures as labels', () => {
    const routed = table([route({ name: 'a', topic: 'plant/{site}/{deviceId}/data', labels: { line: '2' } }), route({ name: 'b', topic: '#', deviceId: 'catch-all' })]).match('plant/north/p1/data');
    expect(routed).toMatchObject({ deviceId: 'p1', labels: { site: 'north', line: '2' }, route: { name: 'a', decoder: 'json' } });
  });

  it('builds the deviceId from a template over the captures, or takes a fixed one', () => {
    const routes = table([route({ name: 'a', topic: 'plant/{site}/{id}/data', deviceId: '{site}-{id}' }), route({ name: 'b', topic: 'boiler/data', deviceId: 'boiler-1' })]);
    expect(routes.match('plant/north/7/data')).toMatchObject({ deviceId: 'north-7', labels: {} });
    expect(routes.match('boiler/data')?.deviceId).toBe('boiler-1');
  });

  it('hands timestampField, timestampUnit, valuesField and metric to the decoder', () => {
    const routed = table([route({ timestampField: 'timestamp', timestampUnit: 's', valuesField: 'data' })]).match('edge/e1/data');
    expect(routed?.route.decodeOptions).toEqual({ timestampField: 'timestamp', timestampUnit: 's', valuesField: 'data' });
  });

  it('matches nothing outside its routes', () => {
    expect(table([route({})]).match('other/e1/data')).toBeUndefined();
  });

  it.each([
    [[route({ name: 'x' }), route({ name: 'x', topic: 'b/{deviceId}' })], 'mappings.1.name'],
    [[route({ deviceId: '{serial}' })], 'mappings.0.topic'],
    [[route({ topic: 'a/#/b' })], 'mappings.0'],
  ])('refuses a bad table and names the key (%#)', (routes, key) => {
    expect(() => table(routes)).toThrow(ServiceError);
    expect(() => table(routes)).toThrow(`config key "${key}`);
  });
});
