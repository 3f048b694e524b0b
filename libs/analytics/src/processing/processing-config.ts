import { type Static, Type } from '@sinclair/typebox';

const DetectorType = Type.Union(['zscore', 'gaussian', 'ewma', 'mad', 'knncontext', 'cad', 'none'].map((t) => Type.Literal(t)), { description: 'The detector (README, Detectors); none scores nothing' });

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
    sizeMs: Type.Integer({ minimum: 1, description: 'Window length in event time' }),
    advanceMs: Type.Optional(Type.Integer({ minimum: 1, description: 'Hop; absent means tumbling (= sizeMs)' })),
    graceMs: Type.Integer({ minimum: 0, default: 10_000, description: 'How late (event time) an event may be and still count' }),
  },
  { additionalProperties: false },
);

const BranchSchema = Type.Object(
  {
    if: Type.Optional(
      Type.Object(
        { metric: Type.String({ minLength: 1, description: 'A metric of the device' }), above: Type.Number({ description: 'The branch holds above this' }) },
        { additionalProperties: false, description: "Holds when the device's latest value of the metric is above this" },
      ),
    ),
    action: Type.String({ minLength: 1, description: 'The command\'s action' }),
    args: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'The command\'s args' })),
  },
  { additionalProperties: false },
);

const RuleSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9_.-]+$', description: 'Names the rule in the commands it decides and in logs' }),
    metric: Type.Optional(Type.String({ minLength: 1, description: 'Absent: every metric' })),
    when: Type.Union([Type.Literal('value'), Type.Literal('score')], { description: 'Compare the reading or its anomaly score' }),
    above: Type.Number({ description: 'The rule fires above this value or score' }),
    action: Type.Optional(Type.String({ minLength: 1, description: 'The command, for each metric series on its own; or give decide instead' })),
    decide: Type.Optional(
      Type.Array(BranchSchema, {
        minItems: 1,
        description: 'One ordered decision per device: the first branch whose if holds (or that has none) gives the one command',
      }),
    ),
    args: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'The command\'s args' })),
    ttlMs: Type.Integer({ minimum: 1, default: 60_000, description: 'Commands expire this long after the triggering event time' }),
  },
  { additionalProperties: false },
);

/** The config sections of the processing core; the stream processor's config holds them at its top level. */
export const ProcessingConfigFields = {
    windows: Type.Array(WindowSchema, { default: [{ sizeMs: 60_000, graceMs: 10_000 }], description: 'Windows each device\'s statistics are computed over, each closing once into window-stats' }),
    detectors: Type.Object(
      {
        default: Type.Optional({ ...DetectorChoiceSchema, description: 'For metrics not listed in metrics; absent: gaussian' }),
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
    silence: Type.Object(
      {
        afterMs: Type.Integer({
          minimum: 0,
          default: 300_000,
          description: 'A device with no reading for this long (wall clock, by Kafka record time) is reported offline (reason silent) with an alert; 0 turns it off',
        }),
        checkIntervalMs: Type.Integer({ minimum: 100, default: 10_000, description: 'How often devices are checked for silence' }),
        devices: Type.Array(
          Type.Object(
            { match: Type.String({ minLength: 1, description: 'deviceId, * for any characters, e.g. env-*' }), afterMs: Type.Integer({ minimum: 0, description: 'silence.afterMs for the matching devices' }) },
            { additionalProperties: false },
          ),
          { default: [], description: 'Per device class: the first match gives the limit' },
        ),
      },
      { default: {}, additionalProperties: false },
    ),
    rules: Type.Array(RuleSchema, {
      description: 'Rules that turn readings or anomaly scores into commands (README, Rules)',
      // An emergency response: one command per anomaly, shutdown when hot, otherwise throttle.
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
};

export const ProcessingConfigSchema = Type.Object(ProcessingConfigFields);

/** What PartitionProcessor reads: the processing sections and the instance that signs its dead letters. */
export type ProcessingConfig = Static<typeof ProcessingConfigSchema> & { gateway: { instanceId: string } };
export type DetectorChoice = Static<typeof DetectorChoiceSchema>;
export type RuleConfig = Static<typeof RuleSchema>;
export type BranchConfig = Static<typeof BranchSchema>;
