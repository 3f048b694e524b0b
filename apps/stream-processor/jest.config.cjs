module.exports = require('../../jest.preset.cjs')(__dirname, {
  displayName: 'stream-processor',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
});
