module.exports = require('../../jest.preset.cjs')(__dirname, {
  displayName: 'mqtt-gateway:integration',
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  testTimeout: 240_000,
});
