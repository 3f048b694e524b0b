module.exports = require('../../jest.preset.cjs')(__dirname, {
  displayName: 'coap-gateway',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
});
