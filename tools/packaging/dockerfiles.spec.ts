import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { interopPython, run, serviceNodeFlags, workspaceRoot } from '@fieldlink/testing';
import { APPS } from './apps';

// No Docker engine answers here, so the images are not built: hadolint checks each Dockerfile,
// and these checks tie it to the bundle that bundles.spec.ts installs and starts.
const dockerfile = (app: string) => join(workspaceRoot(), 'docker', `${app}.Dockerfile`);

describe('Dockerfiles', () => {
  it('pass hadolint with no finding at any level', async () => {
    const hadolint = join(dirname(interopPython()), 'hadolint');
    if (!existsSync(hadolint)) throw new Error(`${hadolint} is missing: run tools/infra/install.sh`);
    const files = [...APPS, 'simulators'].map(dockerfile);
    const result = await run(hadolint, ['--no-color', '--failure-threshold', 'info', ...files], { timeoutMs: 60_000 });
    expect(`${result.stdout}${result.stderr}`).toBe('');
    expect(result.code).toBe(0);
  });

  it.each(APPS)('%s: installs and copies its own dist/apps folder, runs as a numeric non-root user with the service Node flags, checks /health/live', (app) => {
    const text = readFileSync(dockerfile(app), 'utf8');
    expect(text).toContain(`COPY dist/apps/${app}/package.json ./`);
    expect(text).toContain('RUN npm install --omit=dev');
    expect(text).toContain(`COPY dist/apps/${app}/ ./`);
    const users = [...text.matchAll(/^USER (\S+)$/gm)].map((m) => m[1]);
    expect(users).toEqual(['1000:1000']);
    expect(text).toMatch(/^HEALTHCHECK .*\n.*\/health\/live/m);
    const cmd = /^CMD (\[.*\])$/m.exec(text)?.[1];
    expect(cmd && JSON.parse(cmd)).toEqual(['node', ...serviceNodeFlags(app), 'main.js']);
  });

  it.each(APPS)('%s: nx serve starts it with the same Node flags', (app) => {
    const project = JSON.parse(readFileSync(join(workspaceRoot(), 'apps', app, 'project.json'), 'utf8')) as { targets: { serve: { options: { command: string } } } };
    expect(project.targets.serve.options.command).toBe(['node', ...serviceNodeFlags(app), `dist/apps/${app}/main.js`].join(' '));
  });

  it('the simulators image pins each package to the version the workspace runs npm start with', () => {
    const manifest = JSON.parse(readFileSync(join(workspaceRoot(), 'docker', 'simulators', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const installed = (pkg: string) => (JSON.parse(readFileSync(join(workspaceRoot(), 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
    expect(Object.keys(manifest.dependencies).sort()).toEqual(['coap', 'mqtt', 'node-opcua', 'tsx']);
    for (const [pkg, version] of Object.entries(manifest.dependencies)) expect(`${pkg}@${version}`).toBe(`${pkg}@${installed(pkg)}`);
    expect(readFileSync(dockerfile('simulators'), 'utf8')).toMatch(/^USER 1000:1000$/m);
  });
});
