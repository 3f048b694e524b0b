// Bundles one app into dist/apps/<app>/main.js, plus <name>.worker.js for each
// src/**/<name>.worker.ts (worker thread entry points). Packages stay external and
// resolve from node_modules; the @fieldlink/* libs are inlined via tsconfig paths.
// src/**/*.xml files (the DDS gateway's default types and QoS) are copied next to main.js.
// esbuild emits no decorator metadata, which is why every Nest injection names its token.
import { copyFileSync, readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { build } from 'esbuild';

const app = process.argv[2];
if (!app) {
  console.error('usage: node tools/build/bundle.mjs <app>');
  process.exit(2);
}
const workers = readdirSync(`apps/${app}/src`, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.worker.ts') && !f.endsWith('.spec.ts'))
  .map((f) => `apps/${app}/src/${f}`);
await build({
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
});
const assets = readdirSync(`apps/${app}/src`, { recursive: true }).map(String).filter((f) => f.endsWith('.xml'));
for (const asset of assets) copyFileSync(`apps/${app}/src/${asset}`, `dist/apps/${app}/${basename(asset)}`);
console.log(`built dist/apps/${app}/main.js`);
