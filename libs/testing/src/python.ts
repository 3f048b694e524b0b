import { join } from 'node:path';
import { fieldlinkCache } from './workspace';

/** The Python of the venv that tools/infra/install.sh makes for interop peers (tools/infra/python-requirements.txt). */
export function interopPython(): string {
  return join(fieldlinkCache(), 'py-interop', 'bin', 'python');
}
