import { Counter, type Registry } from 'prom-client';

/** The MQTT gateway's own metrics; the pipeline's and the spool's come from gateway-core. */
export class MqttMetrics {
  readonly sessionTakeovers: Counter;
  readonly sparkplugRebirthRequests: Counter;
  readonly otherShard: Counter;

  constructor(registry: Registry) {
    this.sessionTakeovers = new Counter({
      name: 'fieldlink_mqtt_session_takeovers_total',
      help: 'Times another MQTT client with our client id took our session (or the broker dropped us right after connecting, again and again)',
      registers: [registry],
    });
    this.sparkplugRebirthRequests = new Counter({
      name: 'fieldlink_sparkplug_rebirth_requests_total',
      help: 'Rebirths the gateway asked Sparkplug edge nodes for (data before a birth, a seq gap or an unknown alias)',
      registers: [registry],
    });
    this.otherShard = new Counter({
      name: 'fieldlink_mqtt_other_shard_total',
      help: 'Messages acknowledged without forwarding: their device is in another replica\'s shard (sharding.count), which forwards them',
      registers: [registry],
    });
  }
}
