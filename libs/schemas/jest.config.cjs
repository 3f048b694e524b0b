module.exports = require('../../jest.preset.cjs')(__dirname, {
  displayName: 'schemas',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
});
