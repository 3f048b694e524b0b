// Fault scenarios of the shared pipeline (Kafka killed, flapping, away for a minute, cut off,
// too slow): what every gateway inherits from libs/gateway-core and libs/kafka. The MQTT gateway
// is the vehicle, because a QoS 1 device tells exactly which readings were acknowledged.
module.exports = require('../../jest.preset.cjs')(__dirname, {
  displayName: 'pipeline:faults',
  testMatch: ['<rootDir>/**/*.faults.ts'],
  setupFilesAfterEnv: ['<rootDir>/jest.setup.ts'],
});
