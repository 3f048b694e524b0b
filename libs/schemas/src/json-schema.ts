import { TOPIC_SCHEMAS } from './envelope.schema';

/**
 * The JSON Schema documents published for downstream consumers, by file name.
 * `nx run schemas:generate` writes them to libs/schemas/json-schema/.
 */
export function jsonSchemaFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [topic, schema] of Object.entries(TOPIC_SCHEMAS)) {
    const document = { $schema: 'https://json-schema.org/draft-07/schema#', ...schema };
    files[`${topic}.schema.json`] = `${JSON.stringify(document, null, 2)}\n`;
  }
  return files;
}
