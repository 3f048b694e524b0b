import { type Static, Type } from '@sinclair/typebox';
import { detectorOptionProblems, ProcessingConfigFields } from '@fieldlink/analytics';
import { SERVICE_ENV_OVERRIDES, ServiceConfigSchema, ServiceError, ServiceErrorCode, loadConfig } from '@fieldlink/service';

export const StreamProcessorConfigSchema = Type.Object(
  {
    ...ServiceConfigSchema,
    processor: Type.Object(
      {
        groupId: Type.Optional(
          Type.String({
            minLength: 1,
            description: 'Kafka consumer group; replicas share it. Default: from the topic prefix (fieldlink-stream-processor for fieldlink.), so installs on other topics never share it',
          }),
        ),
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
    ...ProcessingConfigFields,
  },
  { additionalProperties: false },
);

export type StreamProcessorConfig = Static<typeof StreamProcessorConfigSchema> & { processor: { groupId: string } };

/** `fieldlink.` gives fieldlink-stream-processor (the group of earlier versions), `plant-a.fieldlink.` plant-a.fieldlink-stream-processor. */
export const defaultGroupId = (topicPrefix: string): string => `${topicPrefix.replace(/\.$/, '-')}stream-processor`;

export function loadStreamProcessorConfig(env: NodeJS.ProcessEnv): StreamProcessorConfig {
  const loaded = loadConfig({ schema: StreamProcessorConfigSchema, overrides: SERVICE_ENV_OVERRIDES, env });
  const config: StreamProcessorConfig = { ...loaded, processor: { ...loaded.processor, groupId: loaded.processor.groupId ?? defaultGroupId(loaded.topics.prefix) } };
  config.rules.forEach((rule, i) => {
    if ((rule.action === undefined) === (rule.decide === undefined)) {
      throw new ServiceError(ServiceErrorCode.ConfigInvalid, `config key "rules.${i}": give either action (one command per metric series) or decide (one ordered decision per device), not ${rule.action ? 'both' : 'neither'}`);
    }
  });
  const choices: [string, { type: string; options?: Record<string, number> }][] = Object.entries(config.detectors.metrics).map(([metric, choice]) => [`detectors.metrics.${metric}`, choice]);
  if (config.detectors.default) choices.unshift(['detectors.default', config.detectors.default]);
  for (const [key, choice] of choices) {
    const [problem] = detectorOptionProblems(choice.type, choice.options ?? {});
    if (problem) throw new ServiceError(ServiceErrorCode.ConfigInvalid, `config key "${key}.options.${problem.option}": ${problem.message}`);
  }
  const needed = Math.max(0, ...config.windows.map((w) => w.sizeMs + w.graceMs));
  if (config.processor.replayHorizonMs < needed) {
    // A shorter replay could not rebuild an open window after a restart; its result would be wrong, not late.
    throw new ServiceError(ServiceErrorCode.ConfigInvalid, `config key "processor.replayHorizonMs" must be at least the longest window plus its grace (${needed} ms)`);
  }
  return config;
}
