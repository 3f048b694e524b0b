import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { type RunResult, run } from './processes';
import { fieldlinkCache, workspaceRoot } from './workspace';

const HELM_VERSION = process.env['HELM_VERSION'] ?? 'v4.3.2';
export const CHART = join(workspaceRoot(), 'helm', 'fieldlink');

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

/** The Helm binary tools/infra/install.sh builds. */
export function helm(args: string[]): Promise<RunResult> {
  const bin = join(fieldlinkCache(), 'bin', `helm-${HELM_VERSION}`);
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run tools/infra/install.sh`);
  return run(bin, args, { timeoutMs: 60_000 });
}

/** The chart rendered as release "fl" in namespace "plant", with these helm arguments (-f, --set…). */
export async function renderChart(values: string[]): Promise<K8sObject[]> {
  const result = await helm(['template', 'fl', CHART, '--namespace', 'plant', ...values]);
  if (result.code !== 0) throw new Error(`helm template failed:\n${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

/** The config file the chart gives an app's pods (its ConfigMap's config.yaml), if the app is enabled. */
export function chartConfig(objects: K8sObject[], app: string): string | undefined {
  return objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === `fl-${app}`)?.data?.['config.yaml'];
}
