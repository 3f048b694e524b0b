module.exports = require('../../jest.preset.cjs')(__dirname, {
  displayName: 'resilience',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
});
