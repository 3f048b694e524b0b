/**
 * The schema compatibility policy (docs/topics.md, Schema evolution): within a schemaVersion,
 * records only ever gain optional fields. So whoever reads a topic accepts fields it does not
 * know, at every level: this copy of a schema allows them (it drops every
 * `additionalProperties: false` and keeps maps of values typed). Writers keep validating against
 * the strict schema, so a field never appears by mistake.
 */
export function openSchema<T extends object>(schema: T): T {
  const copy = JSON.parse(JSON.stringify(schema)) as T;
  open(copy);
  return copy;
}

function open(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(open);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const object = node as Record<string, unknown>;
  if (object['additionalProperties'] === false) delete object['additionalProperties'];
  Object.values(object).forEach(open);
}

/**
 * Topics whose published schema stays closed: Fieldlink reads them and refuses what it does not
 * know. A command with a field the gateway would not act on (a typo, or a newer producer's
 * option) fails instead of moving a machine without it.
 */
export const CLOSED_TOPICS: readonly string[] = ['commands'];
