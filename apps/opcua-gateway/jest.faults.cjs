// The OPC UA gateway's fault scenarios: its server killed and restarted, a replica SIGKILLed.
module.exports = require('../../jest.preset.cjs')(__dirname, {
  displayName: 'opcua-gateway:faults',
  testMatch: ['<rootDir>/faults/**/*.faults.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/jest.setup.ts'],
});
