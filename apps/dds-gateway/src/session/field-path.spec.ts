import { parsePath, valueAt, withoutPath } from './field-path';

describe('field paths', () => {
  const sample = { id: 's1', header: { stamp: 1700000000000, frame: 'base' }, axes: [{ position: 1.5 }, { position: -2 }], flags: [true, false] };

  it('parses struct members and sequence elements', () => {
    expect(parsePath('header.stamp')).toEqual(['header', 'stamp']);
    expect(parsePath('axes[1].position')).toEqual(['axes', 1, 'position']);
    expect(parsePath('m[0][2]')).toEqual(['m', 0, 2]);
  });

  it.each(['', '.a', 'a.', 'a..b', 'a[x]', 'a[1', '[0]', 'a]'])('refuses %p', (path) => {
    expect(() => parsePath(path)).toThrow('is not a field path');
  });

  it('finds values, and undefined for a missing step or a step of the wrong kind', () => {
    expect(valueAt(sample, 'header.stamp')).toBe(1700000000000);
    expect(valueAt(sample, 'axes[1].position')).toBe(-2);
    expect(valueAt(sample, 'flags[0]')).toBe(true);
    expect(valueAt(sample, 'axes[2].position')).toBeUndefined();
    expect(valueAt(sample, 'header[0]')).toBeUndefined();
    expect(valueAt(sample, 'axes.position')).toBeUndefined();
    expect(valueAt(sample, 'id.length')).toBeUndefined();
  });

  it('removes a member, nested or not, without touching the sample', () => {
    expect(withoutPath(sample, 'id')).not.toHaveProperty('id');
    const rest = withoutPath(sample, 'header.stamp');
    expect(rest['header']).toEqual({ frame: 'base' });
    expect(sample.header.stamp).toBe(1700000000000);
    expect(withoutPath(sample, 'missing.field')).toBe(sample);
  });
});
