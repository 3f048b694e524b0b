import { TopicPattern } from './topic-pattern';

describe(TopicPattern.name, () => {
  it('turns named levels into + and captures them', () => {
    const pattern = new TopicPattern('plant/{site}/{deviceId}/telemetry');
    expect(pattern.filter).toBe('plant/+/+/telemetry');
    expect(pattern.match('plant/north/pump-1/telemetry')).toEqual({ site: 'north', deviceId: 'pump-1' });
    expect(pattern.match('plant/north/pump-1/status')).toBeUndefined();
    expect(pattern.match('plant/north/pump-1/telemetry/extra')).toBeUndefined();
    expect(pattern.match('plant//pump-1/telemetry')).toBeUndefined();
  });

  it('matches bare + and a trailing # without capturing', () => {
    const pattern = new TopicPattern('a/+/{deviceId}/#');
    expect(pattern.match('a/x/d1/b/c')).toEqual({ deviceId: 'd1' });
  });

  it.each(['a/{x}y/b', 'a/#/b', 'a/b+/c', 'a/{de-vice}'])('rejects the template %s', (template) => {
    expect(() => new TopicPattern(template)).toThrow(/topic pattern/);
  });

  it('renders a command topic and refuses ids that would escape their level', () => {
    const pattern = new TopicPattern('commands/{deviceId}');
    expect(pattern.render({ deviceId: 'pump-7' })).toBe('commands/pump-7');
    expect(() => pattern.render({ deviceId: 'a/b' })).toThrow(/one topic level/);
    expect(() => pattern.render({ deviceId: '#' })).toThrow(/one topic level/);
  });
});
