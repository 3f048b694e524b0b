import { type IngestRoute } from '@fieldlink/gateway-core';
import { type MqttMapping } from '../config/mqtt-gateway.config';
import { TopicPattern } from './topic-pattern';

export interface RoutedTopic {
  route: IngestRoute;
  deviceId: string | undefined;
  labels: Record<string, string>;
}

interface CompiledMapping {
  pattern: TopicPattern;
  mapping: MqttMapping;
  route: IngestRoute;
}

/** Finds the first configured mapping whose topic template matches. */
export class MappingRouter {
  private readonly compiled: CompiledMapping[];

  constructor(mappings: MqttMapping[]) {
    this.compiled = mappings.map((mapping) => ({
      pattern: new TopicPattern(mapping.topic),
      mapping,
      route: {
        name: mapping.name,
        kind: mapping.kind,
        decoder: mapping.decoder,
        decodeOptions: {
          ...(mapping.timestampField ? { timestampField: mapping.timestampField } : {}),
          ...(mapping.timestampUnit ? { timestampUnit: mapping.timestampUnit } : {}),
          ...(mapping.valuesField ? { valuesField: mapping.valuesField } : {}),
          ...(mapping.metric ? { metric: mapping.metric } : {}),
        },
      },
    }));
  }

  /** Subscription filters with their QoS, `$share/<group>/` applied. */
  subscriptions(): Record<string, { qos: 0 | 1 | 2 }> {
    return Object.fromEntries(
      this.compiled.map(({ pattern, mapping }) => [
        mapping.shareGroup ? `$share/${mapping.shareGroup}/${pattern.filter}` : pattern.filter,
        { qos: mapping.qos },
      ]),
    );
  }

  route(topic: string): RoutedTopic | undefined {
    for (const { pattern, route } of this.compiled) {
      const captures = pattern.match(topic);
      if (!captures) continue;
      const { deviceId, ...labels } = captures;
      return { route, deviceId, labels };
    }
    return undefined;
  }
}
