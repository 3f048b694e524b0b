import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const protocolPackages = {
  mqtt: ['mqtt', 'mqtt-packet'],
  coap: ['coap'],
  opcua: ['node-opcua', 'node-opcua-*'],
  dds: ['rticonnextdds-connector'],
};
const allProtocolPackages = Object.values(protocolPackages).flat();

/** A gateway may use its own protocol package and nobody else's. */
const protocolConstraint = (protocol) => ({
  sourceTag: `protocol:${protocol}`,
  onlyDependOnLibsWithTags: ['scope:shared', 'scope:gateway-platform', 'scope:testing'],
  bannedExternalImports: [
    'kafkajs',
    ...allProtocolPackages.filter((p) => !protocolPackages[protocol].includes(p)),
  ],
});

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
            protocolConstraint('mqtt'),
            protocolConstraint('coap'),
            protocolConstraint('opcua'),
            protocolConstraint('dds'),
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
            { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['type:lib'], bannedExternalImports: ['kafkajs'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
];
