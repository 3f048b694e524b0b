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

const BranchSchema = Type.Object(
  {
    if: Type.Optional(
      Type.Object(
        { metric: Type.String({ minLength: 1 }), above: Type.Number() },
        { additionalProperties: false, description: "Holds when the device's latest value of the metric is above this" },
      ),
    ),
    action: Type.String({ minLength: 1 }),
    args: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);

const RuleSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9_.-]+$' }),
    metric: Type.Optional(Type.String({ minLength: 1, description: 'Absent: every metric' })),
    when: Type.Union([Type.Literal('value'), Type.Literal('score')], { description: 'Compare the reading or its anomaly score' }),
    above: Type.Number(),
    action: Type.Optional(Type.String({ minLength: 1, description: 'The command, for each metric series on its own; or give decide instead' })),
    decide: Type.Optional(
      Type.Array(BranchSchema, {
        minItems: 1,
        description: 'One ordered decision per device: the first branch whose if holds (or that has none) gives the one command',
      }),
    ),
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
      // The seed's emergency response: one command per anomaly, shutdown when hot, otherwise throttle.
      default: [
        {
          name: 'emergency-response',
          when: 'score',
          above: 0.9,
          decide: [{ if: { metric: 'temperature', above: 85 }, action: 'shutdown' }, { action: 'throttle' }],
          args: { reason: 'emergency_response' },
          ttlMs: 60_000,
        },
      ],
    }),
  },
  { additionalProperties: false },
);

export type StreamProcessorConfig = Static<typeof StreamProcessorConfigSchema>;
export type DetectorChoice = Static<typeof DetectorChoiceSchema>;
export type RuleConfig = Static<typeof RuleSchema>;
export type BranchConfig = Static<typeof BranchSchema>;

export function loadStreamProcessorConfig(env: NodeJS.ProcessEnv): StreamProcessorConfig {
  const config = loadConfig({ schema: StreamProcessorConfigSchema, overrides: SERVICE_ENV_OVERRIDES, env });
  config.rules.forEach((rule, i) => {
    if ((rule.action === undefined) === (rule.decide === undefined)) {
      throw new ServiceError(ServiceErrorCode.ConfigInvalid, `config key "rules.${i}": give either action (one command per metric series) or decide (one ordered decision per device), not ${rule.action ? 'both' : 'neither'}`);
    }
  });
  const needed = Math.max(0, ...config.windows.map((w) => w.sizeMs + w.graceMs));
  if (config.processor.replayHorizonMs < needed) {
    // A shorter replay could not rebuild an open window after a restart; its result would be wrong, not late.
    throw new ServiceError(ServiceErrorCode.ConfigInvalid, `config key "processor.replayHorizonMs" must be at least the longest window plus its grace (${needed} ms)`);
  }
  return config;
}
