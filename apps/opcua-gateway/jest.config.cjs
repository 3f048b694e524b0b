module.exports = require('../../jest.preset.cjs')(__dirname, {
  displayName: 'opcua-gateway',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
});
