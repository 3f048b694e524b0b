module.exports = require('../../jest.preset.cjs')(__dirname, {
  displayName: 'dds-gateway:integration',
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/jest.setup.ts'],
});
