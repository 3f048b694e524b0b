module.exports = require('../../jest.preset.cjs')(__dirname, {
  displayName: 'stream-processor:integration',
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/jest.setup.ts'],
});
