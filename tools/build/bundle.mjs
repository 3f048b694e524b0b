// Bundles one app into dist/apps/<app>/main.js, plus <name>.worker.js for each
// src/**/<name>.worker.ts (worker thread entry points). Packages stay external and
// resolve from node_modules; the @fieldlink/* libs are inlined via tsconfig paths.
// src/**/*.xml files (the DDS gateway's default types and QoS) are copied next to main.js.
// A package.json beside them lists only the packages this app's bundle imports, pinned to the
// versions installed here, so `npm install --omit=dev` in that folder (as the images do) gets
// this app's dependencies and no other protocol's.
// esbuild emits no decorator metadata, which is why every Nest injection names its token.
import { copyFileSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { basename } from 'node:path';
import { build } from 'esbuild';

/** Packages a dependency loads by name at run time, which esbuild cannot see: NestFactory.create takes its HTTP adapter. */
const LOADED_AT_RUN_TIME = { '@nestjs/core': ['@nestjs/platform-express'] };

const app = process.argv[2];
if (!app) {
  console.error('usage: node tools/build/bundle.mjs <app>');
  process.exit(2);
}
const workers = readdirSync(`apps/${app}/src`, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.worker.ts') && !f.endsWith('.spec.ts'))
  .map((f) => `apps/${app}/src/${f}`);
const result = await build({
  entryPoints: [`apps/${app}/src/main.ts`, ...workers],
  outdir: `dist/apps/${app}`,
  entryNames: '[name]',
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  packages: 'external',
  sourcemap: true,
  tsconfig: 'tsconfig.base.json',
  logLevel: 'warning',
  metafile: true,
});
const assets = readdirSync(`apps/${app}/src`, { recursive: true }).map(String).filter((f) => f.endsWith('.xml'));
for (const asset of assets) copyFileSync(`apps/${app}/src/${asset}`, `dist/apps/${app}/${basename(asset)}`);
writeFileSync(`dist/apps/${app}/package.json`, `${JSON.stringify(manifest(result.metafile), null, 2)}\n`);
console.log(`built dist/apps/${app}/main.js`);

/** The package.json of the bundle: its external imports as dependencies, at the installed versions. */
function manifest(metafile) {
  const root = JSON.parse(readFileSync('package.json', 'utf8'));
  const imported = new Set();
  for (const output of Object.values(metafile.outputs)) {
    for (const { path, external } of output.imports) {
      if (!external || path.startsWith('node:') || builtinModules.includes(path.split('/')[0])) continue;
      const [scope, name] = path.split('/');
      imported.add(scope.startsWith('@') ? `${scope}/${name}` : scope);
    }
  }
  for (const pkg of [...imported]) for (const extra of LOADED_AT_RUN_TIME[pkg] ?? []) imported.add(extra);
  const dependencies = {};
  for (const pkg of [...imported].sort()) {
    dependencies[pkg] = JSON.parse(readFileSync(`node_modules/${pkg}/package.json`, 'utf8')).version;
  }
  return { name: `@fieldlink/${app}`, version: root.version, private: true, license: root.license, main: 'main.js', engines: { node: '>=22' }, dependencies };
}
