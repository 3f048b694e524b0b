// The MQTT gateway's own fault scenarios (the gateway SIGKILLed, its broker restarted); the
// shared pipeline's Kafka scenarios are in tools/faults.
module.exports = require('../../jest.preset.cjs')(__dirname, {
  displayName: 'mqtt-gateway:faults',
  testMatch: ['<rootDir>/faults/**/*.faults.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/jest.setup.ts'],
});
