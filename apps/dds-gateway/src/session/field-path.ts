/**
 * Field paths into a sample as the RTI Connector gives it in JSON: `.` steps into a struct
 * member, `[i]` into a sequence or array element, e.g. `header.stamp` or `axes[2].position`.
 */
export type Json = null | boolean | number | string | Json[] | { [field: string]: Json };

const PATH = /^[^.[\]]+(\[\d+\])*(\.[^.[\]]+(\[\d+\])*)*$/;
const STEP = /([^.[\]]+)|\[(\d+)\]/g;

/** Paths come from the config, so the set is small; each is parsed once, not once per sample. */
const parsed = new Map<string, readonly (string | number)[]>();

export function parsePath(path: string): readonly (string | number)[] {
  let steps = parsed.get(path);
  if (!steps) {
    if (!PATH.test(path)) throw new Error(`"${path}" is not a field path (a.b, a[0].b)`);
    steps = [...path.matchAll(STEP)].map((m) => (m[1] !== undefined ? m[1] : Number(m[2])));
    parsed.set(path, steps);
  }
  return steps;
}

/** The value at the path, or undefined when a step is missing. */
export function valueAt(sample: Json, path: string): Json | undefined {
  let current: Json | undefined = sample;
  for (const step of parsePath(path)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = Array.isArray(current) ? (typeof step === 'number' ? current[step] : undefined) : typeof step === 'string' ? current[step] : undefined;
  }
  return current;
}

/** A copy of the sample without the value at the path (struct members only; sequence elements stay). */
export function withoutPath(sample: { [field: string]: Json }, path: string): { [field: string]: Json } {
  const [first, ...rest] = parsePath(path);
  if (typeof first !== 'string' || !(first in sample)) return sample;
  const copy = { ...sample };
  const inner = copy[first];
  if (rest.length === 0) delete copy[first];
  else if (inner !== null && typeof inner === 'object' && !Array.isArray(inner) && rest.every((s) => typeof s === 'string')) copy[first] = withoutPath(inner, rest.join('.'));
  return copy;
}
