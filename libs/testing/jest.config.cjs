module.exports = require('../../jest.preset.cjs')(__dirname, {
  displayName: 'testing',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
});
