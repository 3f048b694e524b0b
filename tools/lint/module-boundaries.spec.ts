import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { run, workspaceRoot } from '@fieldlink/testing';

const source = workspaceRoot();
// A copy of the workspace's config and project files in a temp dir, so the probes never
// touch the real tree while other Nx targets run next to this test.
const root = mkdtempSync(join(tmpdir(), 'fieldlink-boundaries-'));
const COPIED = [
  'nx.json',
  'package.json',
  'package-lock.json',
  'tsconfig.base.json',
  'eslint.config.mjs',
  ...['apps/mqtt-gateway', 'apps/stream-processor', 'libs/analytics', 'libs/schemas', 'libs/kafka', 'libs/gateway-core', 'libs/service', 'libs/testing'].flatMap((p) => [`${p}/project.json`, `${p}/tsconfig.json`]),
];
// A throwaway second gateway, so a cross-gateway import has something to point at.
const probeGateway = 'apps/zz-boundary-probe-gateway';

/** Probe files, real on disk because the rule only judges files the project graph knows. */
const PROBES: Record<string, string> = {
  [`${probeGateway}/project.json`]: JSON.stringify({
    name: 'zz-boundary-probe-gateway',
    projectType: 'application',
    sourceRoot: `${probeGateway}/src`,
    tags: ['type:app', 'scope:gateway', 'protocol:coap'],
  }),
  [`${probeGateway}/src/index.ts`]: 'export const probe = 1;\n',
  'apps/mqtt-gateway/src/zz-probe-cross.ts': "import { probe } from '../../zz-boundary-probe-gateway/src/index';\nexport const x = probe;\n",
  'apps/mqtt-gateway/src/zz-probe-kafkajs.ts': "import { Kafka } from 'kafkajs';\nexport const k = Kafka;\n",
  'libs/gateway-core/src/zz-probe-kafkajs.ts': "import { Kafka } from 'kafkajs';\nexport const k = Kafka;\n",
  'libs/schemas/src/zz-probe-kafkajs.ts': "import { Kafka } from 'kafkajs';\nexport const k = Kafka;\n",
  'libs/kafka/src/zz-probe-kafkajs.ts': "import { Kafka } from 'kafkajs';\nexport const k = Kafka;\n",
  'libs/gateway-core/src/zz-probe-mqtt.ts': "import { connect } from 'mqtt';\nexport const c = connect;\n",
  'apps/mqtt-gateway/src/zz-probe-mqtt.ts': "import { connect } from 'mqtt';\nexport const c = connect;\n",
  'apps/stream-processor/src/zz-probe-gateway-core.ts': "import { IngestPipeline } from '@fieldlink/gateway-core';\nexport const p = IngestPipeline;\n",
  'apps/stream-processor/src/zz-probe-service.ts': "import { runService } from '@fieldlink/service';\nexport const r = runService;\n",
  'libs/service/src/zz-probe-gateway-core.ts': "import { IngestPipeline } from '@fieldlink/gateway-core';\nexport const p = IngestPipeline;\n",
};

function writeWorkspace(): void {
  for (const file of COPIED) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    copyFileSync(join(source, file), join(root, file));
  }
  symlinkSync(join(source, 'node_modules'), join(root, 'node_modules'));
  for (const [file, text] of Object.entries(PROBES)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
}

async function refreshProjectGraph(): Promise<void> {
  const result = await run(join(source, 'node_modules', '.bin', 'nx'), ['show', 'projects'], {
    cwd: root,
    timeoutMs: 120_000,
    env: { ...process.env, NX_DAEMON: 'false' },
  });
  if (result.code !== 0) throw new Error(`nx show projects failed: ${result.stderr}`);
}

describe('module boundaries (eslint @nx/enforce-module-boundaries)', () => {
  let errors: Record<string, string[]> = {};
  let exitCode: number | null = null;

  beforeAll(async () => {
    writeWorkspace();
    try {
      await refreshProjectGraph();
      const files = Object.keys(PROBES).filter((f) => f.endsWith('.ts') && !f.startsWith(probeGateway));
      const result = await run(join(source, 'node_modules', '.bin', 'eslint'), ['--format', 'json', '--no-cache', ...files.map((f) => join(root, f))], {
        cwd: root,
        timeoutMs: 180_000,
        env: { ...process.env, NX_DAEMON: 'false' },
      });
      exitCode = result.code;
      const reports = JSON.parse(result.stdout) as { filePath: string; messages: { ruleId: string | null; message: string }[] }[];
      errors = Object.fromEntries(
        reports.map((r) => [
          r.filePath.slice(root.length + 1),
          r.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message),
        ]),
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 300_000);

  it('makes lint fail', () => {
    expect(exitCode).toBe(1);
  });

  it('rejects one gateway importing another', () => {
    expect(errors['apps/mqtt-gateway/src/zz-probe-cross.ts']?.length).toBeGreaterThan(0);
  });

  it('rejects kafkajs anywhere but libs/kafka', () => {
    const banned = ['apps/mqtt-gateway/src/zz-probe-kafkajs.ts', 'libs/gateway-core/src/zz-probe-kafkajs.ts', 'libs/schemas/src/zz-probe-kafkajs.ts'];
    expect(banned.filter((file) => !errors[file]?.join(' ').includes('kafkajs'))).toEqual([]);
    expect(errors['libs/kafka/src/zz-probe-kafkajs.ts']).toEqual([]);
  });

  it('keeps gateway-core out of the stream processor and the shared libs, and the service shell open to both', () => {
    expect(errors['apps/stream-processor/src/zz-probe-gateway-core.ts']?.length).toBeGreaterThan(0);
    expect(errors['libs/service/src/zz-probe-gateway-core.ts']?.length).toBeGreaterThan(0);
    expect(errors['apps/stream-processor/src/zz-probe-service.ts']).toEqual([]);
  });

  it('rejects a protocol package in a shared lib but allows it in its own gateway', () => {
    expect(errors['libs/gateway-core/src/zz-probe-mqtt.ts']?.join(' ')).toContain('mqtt');
    expect(errors['apps/mqtt-gateway/src/zz-probe-mqtt.ts']).toEqual([]);
  });
});
