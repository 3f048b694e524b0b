module.exports = require('../jest.preset.cjs')(__dirname, {
  displayName: 'tools',
  testMatch: ['<rootDir>/**/*.spec.ts'],
  testTimeout: 120_000,
});
