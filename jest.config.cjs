// `npm test`: every project's unit tests and every integration suite, in one run.
module.exports = {
  projects: [
    '<rootDir>/libs/schemas/jest.config.cjs',
    '<rootDir>/libs/kafka/jest.config.cjs',
    '<rootDir>/libs/kafka/jest.integration.cjs',
    '<rootDir>/libs/service/jest.config.cjs',
    '<rootDir>/libs/gateway-core/jest.config.cjs',
    '<rootDir>/libs/testing/jest.config.cjs',
    '<rootDir>/libs/analytics/jest.config.cjs',
    '<rootDir>/apps/mqtt-gateway/jest.config.cjs',
    '<rootDir>/apps/mqtt-gateway/jest.integration.cjs',
    '<rootDir>/apps/mqtt-gateway/jest.faults.cjs',
    '<rootDir>/apps/coap-gateway/jest.config.cjs',
    '<rootDir>/apps/coap-gateway/jest.integration.cjs',
    '<rootDir>/apps/coap-gateway/jest.faults.cjs',
    '<rootDir>/apps/opcua-gateway/jest.config.cjs',
    '<rootDir>/apps/opcua-gateway/jest.integration.cjs',
    '<rootDir>/apps/stream-processor/jest.config.cjs',
    '<rootDir>/apps/stream-processor/jest.integration.cjs',
    '<rootDir>/tools/jest.config.cjs',
  ],
};
