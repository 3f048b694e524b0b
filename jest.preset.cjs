// Shared Jest settings. SWC transpiles TypeScript; decorator metadata stays off
// because the apps are bundled with esbuild, which cannot emit it, and every
// Nest injection names its token explicitly.
const path = require('node:path');

process.env.TZ = 'UTC';

/** @param {string} projectDir */
module.exports = (projectDir, overrides = {}) => ({
  rootDir: projectDir,
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          target: 'es2022',
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: false },
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@fieldlink/(.*)$': path.join(__dirname, 'libs/$1/src/index.ts'),
  },
  ...overrides,
});
