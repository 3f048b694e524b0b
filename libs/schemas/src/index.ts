export * from './envelope.schema';
export * from './errors';
export * from './topics';
export * from './validators';
export * from './date-time';
export * from './decoders';
export { jsonSchemaFiles } from './json-schema';
export * from './stable-id';
export { CLOSED_TOPICS, openSchema } from './compatibility';
