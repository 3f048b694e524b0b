module.exports = require('../../jest.preset.cjs')(__dirname, {
  displayName: 'kafka',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
});
