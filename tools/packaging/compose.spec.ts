import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fieldlinkCache, workspaceRoot } from '@fieldlink/testing';
import Ajv2020 from 'ajv/dist/2020';
import { parse } from 'yaml';
import { APPS } from './apps';

interface ComposeService {
  build?: { context: string; dockerfile: string };
  read_only?: boolean;
  cap_drop?: string[];
  security_opt?: string[];
}

/** The Compose Specification schema from the compose-go module (tools/infra/install.sh fetches it). */
function composeSchema(): object {
  const dir = join(fieldlinkCache(), 'go', 'mod', 'github.com', 'compose-spec', 'compose-go');
  const version = existsSync(dir) ? readdirSync(dir).find((d) => d.startsWith('v2@')) : undefined;
  if (!version) throw new Error(`no compose-go module under ${dir}: run tools/infra/install.sh`);
  return JSON.parse(readFileSync(join(dir, version, 'schema', 'compose-spec.json'), 'utf8')) as object;
}

const validate = new Ajv2020({ strict: false, validateFormats: false, allErrors: true }).compile(composeSchema());
const compose = parse(readFileSync(join(workspaceRoot(), 'docker', 'compose.yaml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };

describe('docker/compose.yaml', () => {
  it('is valid by the Compose Specification schema', () => {
    expect(validate(compose) ? [] : validate.errors).toEqual([]);
  });

  it('is rejected by the same check when a key is misspelt', () => {
    const broken = structuredClone(compose) as { services: Record<string, Record<string, unknown>> };
    broken.services['kafka'] = { ...broken.services['kafka'], restartt: 'always' };
    expect(validate(broken)).toBe(false);
  });

  it.each(APPS)('runs %s from its own Dockerfile, read-only with every capability dropped', (app) => {
    const service = compose.services[app];
    expect(service?.build).toEqual({ context: '..', dockerfile: `docker/${app}.Dockerfile` });
    expect(service).toMatchObject({ read_only: true, cap_drop: ['ALL'], security_opt: ['no-new-privileges:true'] });
  });

  it.each(['mqtt-sim', 'coap-sim', 'opcua-sim'])('runs the %s simulator from the simulators image, read-only, a script that exists', (name) => {
    const service = compose.services[name] as ComposeService & { command?: string[] };
    expect(service?.build).toEqual({ context: '..', dockerfile: 'docker/simulators.Dockerfile' });
    expect(service).toMatchObject({ read_only: true, cap_drop: ['ALL'] });
    const script = service.command?.[0] ?? '';
    expect(existsSync(join(workspaceRoot(), 'tools', script))).toBe(true);
  });
});
