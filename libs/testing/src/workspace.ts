import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** The repository root, found from this file so tests need no ../../ paths. */
export function workspaceRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('nx.json not found above ' + __dirname);
    dir = parent;
  }
  return dir;
}

/** Where tools/infra/install.sh keeps what it downloads and builds (FIELDLINK_CACHE in tools/infra/env.sh). */
export function fieldlinkCache(): string {
  return process.env['FIELDLINK_CACHE'] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'fieldlink');
}
