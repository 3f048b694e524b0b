import { homedir } from 'node:os';
import { join } from 'node:path';

/** The Python of the venv that tools/infra/install.sh makes for interop peers (paho-mqtt, aiocoap, cbor2). */
export function interopPython(): string {
  const cache = process.env['FIELDLINK_CACHE'] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'fieldlink');
  const paho = process.env['PAHO_VERSION'] ?? '2.1.0';
  const aiocoap = process.env['AIOCOAP_VERSION'] ?? '0.4.17';
  const cbor2 = process.env['CBOR2_VERSION'] ?? '5.6.5';
  return join(cache, `py-paho${paho}-aiocoap${aiocoap}-cbor2${cbor2}`, 'bin', 'python');
}
