import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { run, workspaceRoot } from '@fieldlink/testing';

/** The rules whose reports are boundary violations; the type-aware rules are not judged here. */
const BOUNDARY_RULES = new Set(['@nx/enforce-module-boundaries', 'no-restricted-imports', 'no-restricted-syntax']);

export interface LintProbeResult {
  exitCode: number | null;
  /** Boundary messages per probe file, relative to the workspace root. */
  violations: Record<string, string[]>;
  /** Probe files ESLint could not parse, for which no rule ran at all. */
  unparsed: string[];
}

interface EslintReport {
  filePath: string;
  messages: { ruleId: string | null; fatal?: boolean; message: string }[];
}

/**
 * Lints `probes` (file → text) with the workspace's ESLint config, in a throwaway copy of
 * the `copied` config and project files: probe projects and files never appear in the real
 * tree, so Nx targets running next to the test see nothing of them.
 */
export async function lintProbes(copied: string[], probes: Record<string, string>): Promise<LintProbeResult> {
  const source = workspaceRoot();
  const root = mkdtempSync(join(tmpdir(), 'fieldlink-boundaries-'));
  try {
    for (const file of copied) {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      copyFileSync(join(source, file), join(root, file));
    }
    symlinkSync(join(source, 'node_modules'), join(root, 'node_modules'));
    for (const [file, text] of Object.entries(probes)) {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), text);
    }
    await computeProjectGraph(root);
    const files = Object.keys(probes).filter((f) => f.endsWith('.ts'));
    const bin = join(source, 'node_modules', '.bin', 'eslint');
    const result = await run(bin, ['--format', 'json', '--no-cache', ...files], { cwd: root, timeoutMs: 180_000, env: childEnv() });
    return { exitCode: result.code, ...readReports(root, result.stdout) };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * The boundary rule reads the graph Nx cached under `<root>/.nx`; computing it in the fresh
 * copy, without the daemon, is what makes the probe projects known to the rule.
 */
async function computeProjectGraph(root: string): Promise<void> {
  const bin = join(workspaceRoot(), 'node_modules', '.bin', 'nx');
  const result = await run(bin, ['show', 'projects'], { cwd: root, timeoutMs: 120_000, env: childEnv() });
  if (result.code !== 0) throw new Error(`nx show projects failed: ${result.stderr}`);
}

/** Without the NX_* variables an outer `nx run` sets (workspace root, cache and data directories), which would point the children at the real workspace. */
function childEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('NX_')));
  return { ...env, NX_DAEMON: 'false' };
}

function readReports(root: string, stdout: string): Omit<LintProbeResult, 'exitCode'> {
  const reports = JSON.parse(stdout) as EslintReport[];
  const relative = (path: string): string => path.slice(root.length + 1);
  return {
    violations: Object.fromEntries(
      reports.map((r) => [relative(r.filePath), r.messages.filter((m) => m.ruleId !== null && BOUNDARY_RULES.has(m.ruleId)).map((m) => m.message)]),
    ),
    unparsed: reports.filter((r) => r.messages.some((m) => m.fatal === true)).map((r) => relative(r.filePath)),
  };
}
