import { type RoutedMessage, RouteTable } from '@fieldlink/gateway-core';
import { type MqttMapping } from '../config/mqtt-gateway.config';
import { TopicPattern } from './topic-pattern';

/** The MQTT side of the route table: topic patterns and the subscriptions they need. */
export class MappingRouter {
  private readonly table: RouteTable<string, MqttMapping>;

  constructor(mappings: MqttMapping[]) {
    this.table = new RouteTable(mappings, (m) => new TopicPattern(m.topic), 'mappings', 'topic');
  }

  /** Subscription filters with their QoS, `$share/<group>/` applied. */
  subscriptions(): Record<string, { qos: 0 | 1 | 2 }> {
    return Object.fromEntries(
      this.table.routes.map((mapping) => {
        const filter = new TopicPattern(mapping.topic).filter;
        return [mapping.shareGroup ? `$share/${mapping.shareGroup}/${filter}` : filter, { qos: mapping.qos }];
      }),
    );
  }

  route(topic: string): RoutedMessage<MqttMapping> | undefined {
    return this.table.match(topic);
  }

  byName(name: string): MqttMapping | undefined {
    return this.table.byName(name);
  }
}
