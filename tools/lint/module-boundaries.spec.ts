import { type LintProbeResult, lintProbes } from './lint-probe';

const COPIED = [
  'nx.json',
  'package.json',
  'package-lock.json',
  'tsconfig.base.json',
  'eslint.config.mjs',
  ...['apps/mqtt-gateway', 'apps/stream-processor', 'libs/analytics', 'libs/schemas', 'libs/kafka', 'libs/gateway-core', 'libs/service', 'libs/testing', 'tools'].flatMap((p) => [
    `${p}/project.json`,
    `${p}/tsconfig.json`,
  ]),
];

/** A project.json with these tags, and a tsconfig.json like every app's. */
function probeProject(root: string, tags: string[]): Record<string, string> {
  const name = root.split('/').pop() ?? root;
  return {
    [`${root}/project.json`]: JSON.stringify({ name, projectType: 'application', sourceRoot: `${root}/src`, tags }),
    [`${root}/tsconfig.json`]: JSON.stringify({ extends: '../../tsconfig.base.json', include: ['src/**/*.ts', 'test/**/*.ts', 'faults/**/*.ts', 'bench/**/*.ts'] }),
  };
}

const importing = (specifier: string): string => `import * as m from '${specifier}';\nexport const x = m;\n`;

// A throwaway second gateway, so a cross-gateway import has something to point at.
const probeGateway = 'apps/zz-boundary-probe-gateway';
// A new gateway whose protocol the lint config has never heard of.
const newGateway = 'apps/zz-boundary-probe-x-gateway';
const newGatewayImports = {
  kafkajs: 'kafkajs',
  mqtt: 'mqtt',
  'mqtt-packet': 'mqtt-packet',
  coap: 'coap',
  opcua: 'node-opcua',
  'opcua-client': 'node-opcua-client',
  dds: 'rticonnextdds-connector',
  analytics: '@fieldlink/analytics',
  testing: '@fieldlink/testing',
  schemas: '@fieldlink/schemas',
  'gateway-core': '@fieldlink/gateway-core',
};
const probeFile = (name: keyof typeof newGatewayImports): string => `${newGateway}/src/zz-probe-${name}.ts`;

/** Probe files, real on disk because the rule only judges files the project graph knows. */
const PROBES: Record<string, string> = {
  ...probeProject(probeGateway, ['type:app', 'scope:gateway', 'protocol:coap']),
  [`${probeGateway}/src/index.ts`]: 'export const probe = 1;\n',
  ...probeProject(newGateway, ['type:app', 'scope:gateway', 'protocol:x']),
  ...Object.fromEntries(Object.entries(newGatewayImports).map(([name, specifier]) => [probeFile(name as keyof typeof newGatewayImports), importing(specifier)])),
  [`${newGateway}/src/zz-probe-testing.spec.ts`]: importing('@fieldlink/testing'),
  [`${newGateway}/test/zz-probe-testing.ts`]: importing('@fieldlink/testing'),
  [`${newGateway}/bench/zz-probe-testing.ts`]: importing('@fieldlink/testing'),
  'apps/mqtt-gateway/src/zz-probe-cross.ts': "import { probe } from '../../zz-boundary-probe-gateway/src/index';\nexport const x = probe;\n",
  'apps/mqtt-gateway/src/zz-probe-kafkajs.ts': importing('kafkajs'),
  'apps/mqtt-gateway/src/zz-probe-mqtt.ts': importing('mqtt'),
  'apps/mqtt-gateway/src/zz-probe-coap.ts': importing('coap'),
  'apps/mqtt-gateway/faults/zz-probe-testing.ts': importing('@fieldlink/testing'),
  'libs/gateway-core/src/zz-probe-kafkajs.ts': importing('kafkajs'),
  'libs/gateway-core/src/zz-probe-mqtt.ts': importing('mqtt'),
  'libs/gateway-core/src/zz-probe-testing.ts': importing('@fieldlink/testing'),
  'libs/gateway-core/src/zz-probe-testing.spec.ts': importing('@fieldlink/testing'),
  'libs/schemas/src/zz-probe-kafkajs.ts': importing('kafkajs'),
  'libs/kafka/src/zz-probe-kafkajs.ts': importing('kafkajs'),
  'apps/stream-processor/src/zz-probe-gateway-core.ts': importing('@fieldlink/gateway-core'),
  'apps/stream-processor/src/zz-probe-service.ts': importing('@fieldlink/service'),
  'apps/stream-processor/src/zz-probe-testing.ts': importing('@fieldlink/testing'),
  'libs/service/src/zz-probe-gateway-core.ts': importing('@fieldlink/gateway-core'),
  // Alone in its project: Nx reports every static import of a library that a project also loads lazily.
  'libs/service/src/zz-probe-testing-dynamic.ts': "export const t = import('@fieldlink/testing');\n",
  'tools/zz-probe-testing.ts': importing('@fieldlink/testing'),
};

/** The files among `files` whose violations do not mention `specifier`. */
const notReporting = (result: LintProbeResult, files: string[], specifier: string): string[] =>
  files.filter((file) => !result.violations[file]?.join(' ').includes(`"${specifier}"`) && !result.violations[file]?.join(' ').includes(`'${specifier}'`));

describe('module boundaries (eslint.config.mjs)', () => {
  let result: LintProbeResult = { exitCode: null, violations: {}, unparsed: [] };

  beforeAll(async () => {
    result = await lintProbes(COPIED, PROBES);
  }, 300_000);

  it('parses every probe, so an accepted probe was really judged', () => {
    expect(result.unparsed).toEqual([]);
    expect(Object.keys(result.violations)).toHaveLength(Object.keys(PROBES).filter((f) => f.endsWith('.ts')).length);
  });

  it('makes lint fail', () => {
    expect(result.exitCode).toBe(1);
  });

  it('rejects one gateway importing another', () => {
    expect(result.violations['apps/mqtt-gateway/src/zz-probe-cross.ts']?.length).toBeGreaterThan(0);
  });

  it('rejects kafkajs anywhere but libs/kafka', () => {
    const banned = ['apps/mqtt-gateway/src/zz-probe-kafkajs.ts', 'libs/gateway-core/src/zz-probe-kafkajs.ts', 'libs/schemas/src/zz-probe-kafkajs.ts', probeFile('kafkajs')];
    expect(notReporting(result, banned, 'kafkajs')).toEqual([]);
    expect(result.violations['libs/kafka/src/zz-probe-kafkajs.ts']).toEqual([]);
  });

  it('keeps gateway-core out of the stream processor and the shared libs, and the service shell open to both', () => {
    expect(result.violations['apps/stream-processor/src/zz-probe-gateway-core.ts']?.length).toBeGreaterThan(0);
    expect(result.violations['libs/service/src/zz-probe-gateway-core.ts']?.length).toBeGreaterThan(0);
    expect(result.violations['apps/stream-processor/src/zz-probe-service.ts']).toEqual([]);
  });

  it('rejects a protocol package in a shared lib and in another protocol’s gateway, but allows it in its own', () => {
    expect(notReporting(result, ['libs/gateway-core/src/zz-probe-mqtt.ts'], 'mqtt')).toEqual([]);
    expect(notReporting(result, ['apps/mqtt-gateway/src/zz-probe-coap.ts'], 'coap')).toEqual([]);
    expect(result.violations['apps/mqtt-gateway/src/zz-probe-mqtt.ts']).toEqual([]);
  });

  it('rejects every protocol package in a gateway whose protocol the config does not know', () => {
    const names = ['mqtt', 'mqtt-packet', 'coap', 'opcua', 'opcua-client', 'dds'] as const;
    expect(names.filter((name) => notReporting(result, [probeFile(name)], newGatewayImports[name]).length > 0)).toEqual([]);
  });

  it('keeps a new gateway to the shared and gateway-platform libs', () => {
    expect(result.violations[probeFile('analytics')]?.length).toBeGreaterThan(0);
    expect(result.violations[probeFile('schemas')]).toEqual([]);
    expect(result.violations[probeFile('gateway-core')]).toEqual([]);
  });

  it('rejects @fieldlink/testing in production code', () => {
    const production = [probeFile('testing'), 'libs/gateway-core/src/zz-probe-testing.ts', 'apps/stream-processor/src/zz-probe-testing.ts'];
    expect(notReporting(result, production, '@fieldlink/testing')).toEqual([]);
    expect(result.violations['libs/service/src/zz-probe-testing-dynamic.ts']?.length).toBeGreaterThan(0);
  });

  it('allows @fieldlink/testing in specs, test, fault and bench suites, and tools', () => {
    const testCode = [`${newGateway}/src/zz-probe-testing.spec.ts`, `${newGateway}/test/zz-probe-testing.ts`, `${newGateway}/bench/zz-probe-testing.ts`, 'apps/mqtt-gateway/faults/zz-probe-testing.ts', 'libs/gateway-core/src/zz-probe-testing.spec.ts', 'tools/zz-probe-testing.ts'];
    expect(testCode.filter((file) => result.violations[file]?.length !== 0)).toEqual([]);
  });
});
