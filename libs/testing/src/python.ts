import { join } from 'node:path';
import { fieldlinkCache } from './workspace';

/** The Python of the venv that tools/infra/install.sh makes for interop peers (tools/infra/python-requirements.txt). */
export function interopPython(): string {
  return join(fieldlinkCache(), 'py-interop', 'bin', 'python');
}

/** The Python of the venv with the Sparkplug B edge node library (tools/infra/python-sparkplug-requirements.txt). */
export function sparkplugPython(): string {
  return join(fieldlinkCache(), 'py-sparkplug', 'bin', 'python');
}
