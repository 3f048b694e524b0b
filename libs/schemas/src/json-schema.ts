import { CLOSED_TOPICS, openSchema } from './compatibility';
import { TOPIC_SCHEMAS } from './envelope.schema';

/**
 * The JSON Schema documents published for downstream consumers, by file name: open to fields a
 * later version adds, except the topics Fieldlink reads strictly (see compatibility.ts).
 * `nx run schemas:generate` writes them to libs/schemas/json-schema/.
 */
export function jsonSchemaFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [topic, schema] of Object.entries(TOPIC_SCHEMAS)) {
    const published = CLOSED_TOPICS.includes(topic) ? schema : openSchema(schema);
    const document = { $schema: 'http://json-schema.org/draft-07/schema#', ...published };
    files[`${topic}.schema.json`] = `${JSON.stringify(document, null, 2)}\n`;
  }
  return files;
}
