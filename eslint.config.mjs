import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

/** The packages that speak each protocol; a gateway tagged `protocol:<key>` may import its own. */
const protocolPackages = {
  mqtt: ['mqtt', 'mqtt-packet'],
  coap: ['coap'],
  opcua: ['node-opcua', 'node-opcua-*'],
  dds: ['rticonnextdds-connector'],
};
const allProtocolPackages = Object.values(protocolPackages).flat();

/**
 * Every matching constraint applies and any one ban wins, so a protocol's packages cannot be
 * allowed back for its own gateway: they are banned instead for every project tagged with any
 * other protocol, known or not. A new `protocol:x` gateway gets them all banned with no edit here.
 */
const otherProtocolsBan = ([protocol, packages]) => ({
  sourceTag: `/^protocol:(?!${protocol}$)/`,
  bannedExternalImports: packages,
});

/** Test harness only (brokers, child processes, fixtures); production code never ships it. */
const testingLib = '@fieldlink/testing';
const testingOnlyInTests = `${testingLib} is for tests, benches and tools: import it from a *.spec.ts, test/, faults/ or bench/.`;

export default [
  { ignores: ['**/dist', '**/node_modules', '**/.nx', '.infra/**', 'coverage/**'] },
  ...nx.configs['flat/base'],
  ...tseslint.configs.recommendedTypeChecked.map((c) => ({ ...c, files: ['**/*.ts'] })),
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          banTransitiveDependencies: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            // A gateway (its protocol tag tells which) uses the shared and gateway-platform libs, never another gateway.
            {
              sourceTag: 'scope:gateway',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:gateway-platform', 'scope:testing'],
              bannedExternalImports: ['kafkajs'],
            },
            ...Object.entries(protocolPackages).map(otherProtocolsBan),
            {
              sourceTag: 'scope:processing',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:processing', 'scope:testing'],
              bannedExternalImports: ['kafkajs', ...allProtocolPackages],
            },
            // The gateway platform (gateway-core) builds on the shared libs; the stream processor does not use it.
            {
              sourceTag: 'scope:gateway-platform',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:testing'],
              bannedExternalImports: allProtocolPackages,
            },
            {
              sourceTag: 'scope:shared',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:testing'],
              bannedExternalImports: allProtocolPackages,
            },
            // The test harness drives MQTT devices (SeqPublisher) but no other protocol, and never kafkajs.
            {
              sourceTag: 'scope:testing',
              onlyDependOnLibsWithTags: ['scope:shared'],
              bannedExternalImports: ['kafkajs', ...allProtocolPackages.filter((p) => !protocolPackages.mqtt.includes(p))],
            },
            // kafkajs lives behind @fieldlink/kafka; every other lib goes through it.
            { sourceTag: 'lib:schemas', bannedExternalImports: ['kafkajs'] },
            { sourceTag: 'lib:gateway-core', bannedExternalImports: ['kafkajs'] },
            { sourceTag: 'lib:service', bannedExternalImports: ['kafkajs'] },
            { sourceTag: 'lib:testing', bannedExternalImports: ['kafkajs'] },
            { sourceTag: 'lib:resilience', bannedExternalImports: ['kafkajs'] },
            { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['type:lib'], bannedExternalImports: ['kafkajs'] },
          ],
        },
      ],
    },
  },
  {
    files: ['apps/*/src/**/*.ts', 'libs/*/src/**/*.ts'],
    ignores: ['libs/testing/**', '**/*.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: testingLib, message: testingOnlyInTests }] }],
      // no-restricted-imports does not see import() or require().
      'no-restricted-syntax': [
        'error',
        { selector: `ImportExpression[source.value='${testingLib}']`, message: testingOnlyInTests },
        { selector: `CallExpression[callee.name='require'][arguments.0.value='${testingLib}']`, message: testingOnlyInTests },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
];
