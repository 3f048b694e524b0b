import { Counter, type Registry } from 'prom-client';

/** The MQTT gateway's own metrics; the pipeline's and the spool's come from gateway-core. */
export class MqttMetrics {
  readonly sessionTakeovers: Counter;

  constructor(registry: Registry) {
    this.sessionTakeovers = new Counter({
      name: 'fieldlink_mqtt_session_takeovers_total',
      help: 'Times another MQTT client with our client id took our session (or the broker dropped us right after connecting, again and again)',
      registers: [registry],
    });
  }
}
