import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceRoot } from '@fieldlink/testing';
import { generatedDocs } from './generate-docs';
import { reasonCodes, sourceFiles } from './reason-codes';

const root = workspaceRoot();

describe('generated references', () => {
  it.each(Object.entries(generatedDocs(root)))('%s is current (npm run docs rewrites it)', (path, text) => {
    expect(readFileSync(join(root, path), 'utf8')).toBe(text);
  });

  it('catalogue every reason code the code uses, each with its meaning', () => {
    const catalogued = new Set(reasonCodes(root).map((c) => c.code));
    const used = new Set(sourceFiles(root, (name) => name.endsWith('.ts') && !name.endsWith('.spec.ts')).flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/'(FL_[A-Z0-9_]+)'/g)].map((m) => m[1] ?? '')));
    expect([...used].filter((code) => !catalogued.has(code)).sort()).toEqual([]);
    expect(reasonCodes(root).filter((c) => !c.meaning).map((c) => c.code)).toEqual([]);
    expect(catalogued.size).toBeGreaterThan(50);
  });
});
