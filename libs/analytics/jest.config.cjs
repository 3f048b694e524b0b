module.exports = require('../../jest.preset.cjs')(__dirname, {
  displayName: 'analytics',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
});
