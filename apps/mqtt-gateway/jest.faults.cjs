// npm run test:faults: the fault-injection suite (also part of npm test).
module.exports = require('../../jest.preset.cjs')(__dirname, {
  displayName: 'mqtt-gateway:faults',
  testMatch: ['<rootDir>/faults/**/*.faults.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/jest.setup.ts'],
});
