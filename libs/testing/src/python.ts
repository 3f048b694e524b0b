import { homedir } from 'node:os';
import { join } from 'node:path';

/** The Python of the venv that tools/infra/install.sh makes for interop peers (tools/infra/python-requirements.txt). */
export function interopPython(): string {
  const cache = process.env['FIELDLINK_CACHE'] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'fieldlink');
  return join(cache, 'py-interop', 'bin', 'python');
}
