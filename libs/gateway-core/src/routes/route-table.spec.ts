import { ServiceError } from '@fieldlink/service';
import { TopicPattern } from './mqtt-topic-pattern';
import { RouteTable } from './route-table';
import { type RouteConfig } from './route.schema';

type TopicRoute = RouteConfig & { topic: string };
const route = (over: Partial<TopicRoute>): TopicRoute => ({ name: 'r', topic: 'edge/{deviceId}/data', kind: 'telemetry', decoder: 'json', deviceId: '{deviceId}', ...over });
const table = (routes: TopicRoute[]) => new RouteTable<string, TopicRoute>(routes, (r) => new TopicPattern(r.topic), 'mappings', 'topic');

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
