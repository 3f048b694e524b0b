/**
 * A BrowseName path pattern below Objects, e.g. `Plant/Line*` + `/**`: segments separated by
 * "/", `*` inside a segment matches any characters of one name, and a `**` segment matches
 * any number of levels (none included). Names are matched without their namespace index.
 */
export class BrowsePattern {
  private readonly segments: (RegExp | '**')[];

  constructor(readonly source: string) {
    const parts = source.split('/');
    if (parts.some((p) => p.length === 0)) throw new Error(`"${source}" has an empty segment; separate BrowseNames with single slashes, e.g. Plant/*/Temperature`);
    this.segments = parts.map((p) => (p === '**' ? '**' : new RegExp(`^${p.split('*').map(escape).join('.*')}$`)));
  }

  /** True when the variable at this path (its ancestors' names, then its own) is selected. */
  matches(path: readonly string[]): boolean {
    return match(this.segments, 0, path, 0);
  }

  /** False when nothing below this object path can match, so browsing may skip it. */
  mayContain(path: readonly string[]): boolean {
    for (let i = 0; i < path.length; i++) {
      const segment = this.segments[i];
      if (segment === undefined) return false;
      if (segment === '**') return true;
      if (!segment.test(path[i] ?? '')) return false;
    }
    return this.segments.length > path.length;
  }
}

function match(segments: readonly (RegExp | '**')[], s: number, path: readonly string[], p: number): boolean {
  if (s === segments.length) return p === path.length;
  const segment = segments[s];
  if (segment === '**') {
    for (let skip = p; skip <= path.length; skip++) if (match(segments, s + 1, path, skip)) return true;
    return false;
  }
  return p < path.length && segment !== undefined && segment.test(path[p] ?? '') && match(segments, s + 1, path, p + 1);
}

function escape(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
