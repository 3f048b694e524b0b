import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonSchemaFiles } from '../src/json-schema';

const outDir = join(__dirname, '..', 'json-schema');
mkdirSync(outDir, { recursive: true });
for (const [name, text] of Object.entries(jsonSchemaFiles())) {
  writeFileSync(join(outDir, name), text);
  console.log(`wrote ${join('libs/schemas/json-schema', name)}`);
}
