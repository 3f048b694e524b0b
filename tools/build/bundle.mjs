// Bundles one app into dist/apps/<app>/main.js. Packages stay external and
// resolve from node_modules; the @fieldlink/* libs are inlined via tsconfig paths.
// esbuild emits no decorator metadata, which is why every Nest injection names its token.
import { build } from 'esbuild';

const app = process.argv[2];
if (!app) {
  console.error('usage: node tools/build/bundle.mjs <app>');
  process.exit(2);
}
await build({
  entryPoints: [`apps/${app}/src/main.ts`],
  outfile: `dist/apps/${app}/main.js`,
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  packages: 'external',
  sourcemap: true,
  tsconfig: 'tsconfig.base.json',
  logLevel: 'warning',
});
console.log(`built dist/apps/${app}/main.js`);
