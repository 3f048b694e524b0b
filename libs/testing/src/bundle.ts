import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './processes';
import { workspaceRoot } from './workspace';

/**
 * What an image gets: the app's build output alone in an empty folder outside the workspace, so
 * nothing resolves from the workspace's node_modules, installed from its own package.json.
 * Returns the folder, for ServiceProcess.start's `dir` (run it with NODE_PATH empty).
 */
export async function installBundle(app: string): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), `fieldlink-bundle-${app}-`)), app);
  cpSync(join(workspaceRoot(), 'dist', 'apps', app), dir, { recursive: true });
  const result = await run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--no-update-notifier'], { cwd: dir, timeoutMs: 240_000 });
  if (result.code !== 0) throw new Error(`npm install for ${app} exited ${result.code}:\n${result.stderr}`);
  return dir;
}
