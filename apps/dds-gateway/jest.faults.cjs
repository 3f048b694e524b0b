// The DDS fault-injection scenarios (part of npm test), beside mqtt-gateway's in the shared report.
module.exports = require('../../jest.preset.cjs')(__dirname, {
  displayName: 'dds-gateway:faults',
  testMatch: ['<rootDir>/faults/**/*.faults.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/jest.setup.ts'],
});
