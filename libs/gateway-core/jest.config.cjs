module.exports = require('../../jest.preset.cjs')(__dirname, {
  displayName: 'gateway-core',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
});
