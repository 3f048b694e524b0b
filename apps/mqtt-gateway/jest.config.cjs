module.exports = require('../../jest.preset.cjs')(__dirname, {
  displayName: 'mqtt-gateway',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
});
