module.exports = require('../../jest.preset.cjs')(__dirname, {
  displayName: 'service',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
});
