import { type Static, Type } from '@sinclair/typebox';
import { SERVICE_ENV_OVERRIDES, ServiceConfigSchema, ServiceError, ServiceErrorCode, loadConfig } from '@fieldlink/service';

const DetectorType = Type.Union(['zscore', 'ewma', 'mad', 'knncontext', 'none'].map((t) => Type.Literal(t)));

const DetectorChoiceSchema = Type.Object(
  {
    type: DetectorType,
    alertAbove: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Score that raises an alert; default per detector' })),
    options: Type.Optional(
      Type.Record(Type.String(), Type.Number(), { description: 'Overrides of the detector defaults, e.g. { window: 120 }' }),
    ),
  },
  { additionalProperties: false },
);

const WindowSchema = Type.Object(
  {
    sizeMs: Type.Integer({ minimum: 1 }),
    advanceMs: Type.Optional(Type.Integer({ minimum: 1, description: 'Hop; absent means tumbling (= sizeMs)' })),
    graceMs: Type.Integer({ minimum: 0, default: 10_000, description: 'How late (event time) an event may be and still count' }),
  },
  { additionalProperties: false },
);

const RuleSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9_.-]+$' }),
    metric: Type.Optional(Type.String({ minLength: 1, description: 'Absent: every metric' })),
    when: Type.Union([Type.Literal('value'), Type.Literal('score')], { description: 'Compare the reading or its anomaly score' }),
    above: Type.Number(),
    action: Type.String({ minLength: 1 }),
    args: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    ttlMs: Type.Integer({ minimum: 1, default: 60_000, description: 'Commands expire this long after the triggering event time' }),
  },
  { additionalProperties: false },
);

export const StreamProcessorConfigSchema = Type.Object(
  {
    ...ServiceConfigSchema,
    processor: Type.Object(
      {
        groupId: Type.String({ minLength: 1, default: 'fieldlink-stream-processor', description: 'Kafka consumer group; replicas share it' }),
        startFrom: Type.Union([Type.Literal('earliest'), Type.Literal('latest')], {
          default: 'earliest',
          description: 'Where a group with no committed offsets begins',
        }),
        workers: Type.Integer({
          minimum: 1,
          default: 2,
          description: 'Worker threads that decode and process records; each partition belongs to one. More than the spare cores only adds contention',
        }),
        concurrentPartitions: Type.Integer({
          minimum: 1,
          default: 3,
          description: 'Partitions processed at once, so one waiting for Kafka to ack its outputs does not stall the rest',
        }),
        replayHorizonMs: Type.Integer({
          minimum: 0,
          default: 6 * 3600_000,
          description: 'On restart or rebalance, state is rebuilt by replaying this much of the partition before the committed offset',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    windows: Type.Array(WindowSchema, { default: [{ sizeMs: 60_000, graceMs: 10_000 }] }),
    detectors: Type.Object(
      {
        default: Type.Optional(DetectorChoiceSchema),
        metrics: Type.Record(Type.String(), DetectorChoiceSchema, { default: {}, description: 'Per metric name' }),
      },
      { default: {}, additionalProperties: false },
    ),
    alerts: Type.Object(
      {
        highAbove: Type.Number({ minimum: 0, maximum: 1, default: 0.9, description: 'Severity is high above this score' }),
        clearAfter: Type.Integer({ minimum: 1, default: 3, description: 'Consecutive normal samples that clear an alert' }),
      },
      { default: {}, additionalProperties: false },
    ),
    rules: Type.Array(RuleSchema, {
      default: [
        { name: 'overheat', metric: 'temperature', when: 'value', above: 85, action: 'shutdown', ttlMs: 60_000 },
        { name: 'anomaly-throttle', when: 'score', above: 0.9, action: 'throttle', ttlMs: 60_000 },
      ],
    }),
  },
  { additionalProperties: false },
);

export type StreamProcessorConfig = Static<typeof StreamProcessorConfigSchema>;
export type DetectorChoice = Static<typeof DetectorChoiceSchema>;
export type RuleConfig = Static<typeof RuleSchema>;

export function loadStreamProcessorConfig(env: NodeJS.ProcessEnv): StreamProcessorConfig {
  const config = loadConfig({ schema: StreamProcessorConfigSchema, overrides: SERVICE_ENV_OVERRIDES, env });
  const needed = Math.max(0, ...config.windows.map((w) => w.sizeMs + w.graceMs));
  if (config.processor.replayHorizonMs < needed) {
    // A shorter replay could not rebuild an open window after a restart; its result would be wrong, not late.
    throw new ServiceError(ServiceErrorCode.ConfigInvalid, `config key "processor.replayHorizonMs" must be at least the longest window plus its grace (${needed} ms)`);
  }
  return config;
}
