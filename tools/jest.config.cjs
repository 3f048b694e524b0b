module.exports = require('../jest.preset.cjs')(__dirname, {
  displayName: 'tools',
  testMatch: ['<rootDir>/**/*.spec.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/jest.setup.ts'],
});
