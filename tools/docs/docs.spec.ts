import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceRoot } from '@fieldlink/testing';
import { generatedDocs } from './generate-docs';
import { reasonCodes } from './reason-codes';

const root = workspaceRoot();

/** Every non-test TypeScript file under apps/<app>/src and libs/<lib>/src. */
function sourceFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) files.push(path);
    }
  };
  for (const top of ['apps', 'libs']) for (const pkg of readdirSync(join(root, top))) walk(join(root, top, pkg, 'src'));
  return files;
}

describe('generated references', () => {
  it.each(Object.entries(generatedDocs(root)))('%s is current (npm run docs rewrites it)', (path, text) => {
    expect(readFileSync(join(root, path), 'utf8')).toBe(text);
  });

  it('catalogue every reason code the code uses, each with its meaning', () => {
    const catalogued = new Set(reasonCodes(root).map((c) => c.code));
    const used = new Set(sourceFiles().flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/'(FL_[A-Z0-9_]+)'/g)].map((m) => m[1] ?? '')));
    expect([...used].filter((code) => !catalogued.has(code)).sort()).toEqual([]);
    expect(reasonCodes(root).filter((c) => !c.meaning).map((c) => c.code)).toEqual([]);
    expect(catalogued.size).toBeGreaterThan(50);
  });
});
