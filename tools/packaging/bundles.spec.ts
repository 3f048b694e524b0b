import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Infra, ServiceProcess, freshName, installBundle, sharedInfra, workspaceRoot } from '@fieldlink/testing';
import { APPS, PROTOCOL_PACKAGES, localServiceEnv } from './apps';

interface Manifest {
  name: string;
  main: string;
  dependencies: Record<string, string>;
}

let infra: Infra;

beforeAll(async () => {
  infra = await sharedInfra();
});

describe('production bundles', () => {
  it.each(APPS)('%s lists only its own protocol package', (app) => {
    const manifest = JSON.parse(readFileSync(join(workspaceRoot(), 'dist', 'apps', app, 'package.json'), 'utf8')) as Manifest;
    expect(manifest).toMatchObject({ name: `@fieldlink/${app}`, main: 'main.js' });
    const others = APPS.filter((a) => a !== app).map((a) => PROTOCOL_PACKAGES[a]);
    for (const pkg of others) if (pkg) expect(Object.keys(manifest.dependencies)).not.toContain(pkg);
    const own = PROTOCOL_PACKAGES[app];
    if (own) expect(Object.keys(manifest.dependencies)).toContain(own);
    expect(Object.keys(manifest.dependencies)).toEqual(expect.arrayContaining(['@nestjs/core', '@nestjs/platform-express', 'kafkajs']));
  });

  it.each(APPS)('%s, installed on its own from its package.json, starts with node and reports ready', async (app) => {
    const dir = await installBundle(app);
    const others = APPS.filter((a) => a !== app).map((a) => PROTOCOL_PACKAGES[a]);
    for (const pkg of others) if (pkg) expect(existsSync(join(dir, 'node_modules', pkg))).toBe(false);
    const service = await ServiceProcess.start(app, { NODE_PATH: '', ...(await localServiceEnv(infra, freshName(`bundle-${app}`))) }, { dir });
    try {
      const ready = await fetch(`http://127.0.0.1:${service.httpPort}/health/ready`);
      expect(ready.status).toBe(200);
    } finally {
      expect(await service.stop()).toBe(0);
    }
  });
});
