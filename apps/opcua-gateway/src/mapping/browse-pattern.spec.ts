import { BrowsePattern } from './browse-pattern';

describe(BrowsePattern.name, () => {
  it('matches one name per segment, with * inside a name and ** for any number of levels', () => {
    const pattern = new BrowsePattern('Plant/Line*/**/Temperature');
    expect(pattern.matches(['Plant', 'Line1', 'Temperature'])).toBe(true);
    expect(pattern.matches(['Plant', 'Line12', 'Pump3', 'Motor', 'Temperature'])).toBe(true);
    expect(pattern.matches(['Plant', 'Store', 'Temperature'])).toBe(false);
    expect(pattern.matches(['Plant', 'Line1', 'Pressure'])).toBe(false);
    expect(new BrowsePattern('**').matches(['A'])).toBe(true);
    expect(new BrowsePattern('*/Speed').matches(['Pump1', 'Motor', 'Speed'])).toBe(false);
  });

  it('treats regular-expression characters in names literally', () => {
    expect(new BrowsePattern('Line.1/(a)').matches(['Line.1', '(a)'])).toBe(true);
    expect(new BrowsePattern('Line.1/(a)').matches(['LineX1', '(a)'])).toBe(false);
  });

  it('lets browsing skip objects below which nothing can match', () => {
    const pattern = new BrowsePattern('Plant/Line*/Temperature');
    expect(pattern.mayContain(['Plant'])).toBe(true);
    expect(pattern.mayContain(['Plant', 'Line2'])).toBe(true);
    expect(pattern.mayContain(['Store'])).toBe(false);
    expect(pattern.mayContain(['Plant', 'Line2', 'Temperature'])).toBe(false);
    expect(new BrowsePattern('Plant/**').mayContain(['Plant', 'a', 'b', 'c'])).toBe(true);
  });

  it('refuses an empty segment, saying how to write one', () => {
    expect(() => new BrowsePattern('Plant//Temperature')).toThrow(/empty segment/);
  });
});
