import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { workspaceRoot } from '@fieldlink/testing';
import { generatedDocs } from './generate-docs';

// npm run docs: rewrites the generated references (reason codes, config keys, Helm values).
const root = workspaceRoot();
for (const [path, text] of Object.entries(generatedDocs(root))) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
  process.stdout.write(`wrote ${path}\n`);
}
