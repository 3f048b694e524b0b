import { ServiceError } from '@fieldlink/service';
import { UriPathPattern } from './uri-path-pattern';

describe(UriPathPattern.name, () => {
  it('captures whole segments and ignores a leading slash and the query', () => {
    const pattern = new UriPathPattern('sensors/{deviceId}');
    expect(pattern.names).toEqual(['deviceId']);
    expect(pattern.match('/sensors/pump-7')).toEqual({ deviceId: 'pump-7' });
    expect(pattern.match('sensors/pump%207?token=x')).toEqual({ deviceId: 'pump 7' });
  });

  it('matches nothing else', () => {
    const pattern = new UriPathPattern('sensors/{deviceId}');
    expect(['sensors', 'sensors/', 'sensors/a/b', 'other/a'].map((p) => pattern.match(p))).toEqual([undefined, undefined, undefined, undefined]);
    expect(new UriPathPattern('sensors').match('/sensors')).toEqual({});
  });

  it('refuses a half-named segment', () => {
    expect(() => new UriPathPattern('sensors/dev-{id}')).toThrow(ServiceError);
  });
});
