module.exports = require('../../jest.preset.cjs')(__dirname, {
  displayName: 'dds-gateway',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
});
