import { type IClientOptions, type MqttClient } from 'mqtt';
import { CoreError, CoreErrorCode, type DeliveryOutcome, type IngestOutcome, type IngestPipeline, type InboundMessage, type StatusReport } from '@fieldlink/gateway-core';
import { type Command, MAX_DEVICE_ID_LENGTH, stableId } from '@fieldlink/schemas';
import { type Logger } from '@fieldlink/service';
import { type Counter } from 'prom-client';
import { type SparkplugConfig } from '../config/mqtt-gateway.config';
import { MqttError, MqttErrorCode } from '../errors';
import { BoundedMap } from './bounded-map';
import { type SpbMetric, type SpbPayload, decodeSparkplug, encodeSparkplug } from './codec';
import { DataType } from './datatypes';
import { HostState, type Plan, type Refusal } from './host-state';
import { MetricValueError, encodeValue } from './metric-values';
import { SPARKPLUG_ROUTE, type SparkplugTopic, hostSubscriptions, parseSparkplugTopic, sparkplugTopic } from './sparkplug-topic';

const REFUSALS: Record<Refusal, MqttErrorCode> = {
  malformed: MqttErrorCode.SparkplugMalformed,
  'no-birth': MqttErrorCode.SparkplugNoBirth,
  'seq-gap': MqttErrorCode.SparkplugSeqGap,
  'unknown-alias': MqttErrorCode.SparkplugUnknownAlias,
  'bad-value': MqttErrorCode.SparkplugBadValue,
  'too-many-devices': MqttErrorCode.SparkplugTooManyDevices,
};

const NODE_CONTROLS = ['Node Control/Rebirth', 'Node Control/Reboot'];

/** Where a deviceId came from: an edge node, or one of its devices. */
interface Identity {
  group: string;
  node: string;
  device?: string;
}

export interface SparkplugHostOptions {
  config: SparkplugConfig;
  pipeline: IngestPipeline;
  logger: Logger;
  rebirthRequests: Counter;
  maxPayloadBytes: number;
  commandQos: 0 | 1 | 2;
  /** The gateway's MQTT connection, once started. */
  connection: () => MqttClient | undefined;
}

export interface SparkplugMessage {
  topic: string;
  payload: Buffer;
  receivedAt: Date;
  /** The full size of a payload the oversize guard cut. */
  payloadSize?: number;
  /** QoS 0: the edge node will not send it again, so what cannot be written is dead-lettered. */
  once: boolean;
}

/**
 * The gateway as a Sparkplug B host application (Sparkplug 3.0): births define each metric's
 * name, alias and datatype, data is forwarded under those names, deaths and births become
 * device-status records, and commands become NCMD/DCMD. Its state lives in memory: after a
 * restart, the first message of each edge node asks for a rebirth.
 */
export class SparkplugHost {
  private readonly state: HostState;
  private readonly identities: BoundedMap<string, Identity>;
  /** When each edge node was last asked for a rebirth (ms); also nodes not (or no longer) held. */
  private readonly rebirthAt: BoundedMap<string, number>;
  /** The timestamp of this connection's STATE, which its will (the death) must repeat (Sparkplug 3.0, 7.5). */
  private stateTimestamp = Date.now();

  constructor(private readonly options: SparkplugHostOptions) {
    const { maxNodes, maxDevicesPerNode } = options.config;
    this.state = new HostState({ maxNodes, maxDevicesPerNode });
    this.rebirthAt = new BoundedMap(maxNodes);
    this.identities = new BoundedMap(maxNodes * 2);
  }

  subscriptions(): Record<string, { qos: 1 }> {
    return Object.fromEntries(hostSubscriptions(this.options.config.groups).map((filter) => [filter, { qos: 1 }]));
  }

  /** The host's death certificate for the next connection, as its will: call before every connect. */
  will(): NonNullable<IClientOptions['will']> {
    this.stateTimestamp = Date.now();
    return { topic: this.stateTopic(), payload: this.statePayload(false), qos: 1, retain: true };
  }

  /** The host's birth, once the connection's subscriptions are in place. */
  announce(client: MqttClient): void {
    client.publish(this.stateTopic(), this.statePayload(true), { qos: 1, retain: true }, (err) => {
      if (err) this.options.logger.warn({ err: err.message }, 'Sparkplug STATE online not published');
    });
  }

  /** The host's death on a graceful stop, waiting at most timeoutMs for the broker. */
  async retire(client: MqttClient, timeoutMs: number): Promise<void> {
    if (!client.connected) return;
    const published = client.publishAsync(this.stateTopic(), this.statePayload(false), { qos: 1, retain: true }).catch(() => undefined);
    await Promise.race([published, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
  }

  async ingest(message: SparkplugMessage): Promise<IngestOutcome> {
    const topic = parseSparkplugTopic(message.topic);
    if (typeof topic === 'string') return this.deadLetter(message, undefined, new MqttError(MqttErrorCode.SparkplugBadTopic, topic));
    const deviceId = this.deviceIdOf(topic, topic.device);
    if (deviceId.length > MAX_DEVICE_ID_LENGTH) {
      return this.deadLetter(message, undefined, new MqttError(MqttErrorCode.SparkplugBadTopic, `its deviceId would be ${deviceId.length} characters, more than ${MAX_DEVICE_ID_LENGTH}`));
    }
    const size = message.payloadSize ?? message.payload.length;
    if (size > this.options.maxPayloadBytes) {
      return this.deadLetter(message, deviceId, new CoreError(CoreErrorCode.PayloadTooLarge, `payload of ${size} bytes exceeds ingest.maxPayloadBytes (${this.options.maxPayloadBytes})`));
    }
    let payload: SpbPayload;
    try {
      payload = decodeSparkplug(message.payload);
    } catch (error) {
      return this.deadLetter(message, deviceId, new MqttError(MqttErrorCode.SparkplugMalformed, `not a Sparkplug B payload: ${error instanceof Error ? error.message : String(error)}`));
    }
    const plan = this.state.accept(topic, payload);
    if (plan.rebirth) this.requestRebirth(topic);
    if (plan.refused) return this.deadLetter(message, deviceId, new MqttError(REFUSALS[plan.refused.reason], plan.refused.message));
    const forwarded = this.forward(message, topic, deviceId, plan);
    if (!plan.unreadable) return forwarded;
    // The readable metrics are forwarded; the message goes to the dead letters too, for the others.
    const [outcome] = await Promise.all([forwarded, this.deadLetter(message, deviceId, new MqttError(MqttErrorCode.SparkplugBadValue, plan.unreadable))]);
    return outcome;
  }

  /** A command for a Sparkplug node or device: an NCMD or DCMD, typed from the birth certificate. */
  async deliver(command: Command): Promise<DeliveryOutcome> {
    const identity = this.identities.get(command.deviceId);
    if (!identity) return failed(CoreErrorCode.CommandUnknownDevice, `no Sparkplug edge node or device has been seen with deviceId "${command.deviceId}"`);
    const node = { group: identity.group, node: identity.node };
    let target: SparkplugTopic;
    let metrics: SpbMetric[];
    const now = String(Date.now());
    if (NODE_CONTROLS.includes(command.action)) {
      target = { ...node, type: 'NCMD' };
      metrics = [{ name: command.action, datatype: DataType.Boolean, boolean_value: true, timestamp: now }];
    } else if (command.action === 'write') {
      const written = this.typedMetrics(identity, command.args?.['metrics'], now);
      if ('status' in written) return written;
      target = identity.device !== undefined ? { ...node, type: 'DCMD', device: identity.device } : { ...node, type: 'NCMD' };
      metrics = written.metrics;
    } else {
      return failed(MqttErrorCode.SparkplugUnknownAction, `action "${command.action}": a Sparkplug node or device takes write (args.metrics), ${NODE_CONTROLS.join(' or ')}`);
    }
    const client = this.options.connection();
    if (!client) throw new Error('MQTT client not started');
    await client.publishAsync(sparkplugTopic(target), encodeSparkplug({ timestamp: now, metrics }), { qos: this.options.commandQos });
    return { status: 'delivered' };
  }

  private typedMetrics(identity: Identity, values: unknown, now: string): { metrics: SpbMetric[] } | DeliveryOutcome {
    if (typeof values !== 'object' || values === null || Array.isArray(values) || Object.keys(values).length === 0) {
      return failed(CoreErrorCode.CommandInvalid, 'a write needs args.metrics: an object of metric name to value');
    }
    const node = this.state.node(identity.group, identity.node);
    const table = identity.device !== undefined ? node?.devices.get(identity.device) : node?.metrics;
    if (!table) return failed(MqttErrorCode.SparkplugNoBirth, 'the gateway holds no birth certificate for it now (offline, or not born since the gateway started), so it cannot type the metrics');
    const metrics: SpbMetric[] = [];
    for (const [name, value] of Object.entries(values)) {
      const def = table.byName.get(name);
      if (!def) return failed(MqttErrorCode.SparkplugUnknownMetric, `metric "${name}" is not in its birth certificate`);
      try {
        metrics.push({ name, datatype: def.datatype, timestamp: now, ...encodeValue(def.datatype, value, name) });
      } catch (error) {
        if (error instanceof MetricValueError) return failed(MqttErrorCode.SparkplugBadValue, error.message);
        throw error;
      }
    }
    return { metrics };
  }

  private async forward(message: SparkplugMessage, topic: SparkplugTopic, deviceId: string, plan: Plan): Promise<IngestOutcome> {
    const { pipeline } = this.options;
    // Only what a birth, death or data message named can be commanded; a stray or refused topic cannot.
    this.identities.set(deviceId, { group: topic.group, node: topic.node, ...(topic.device !== undefined ? { device: topic.device } : {}) });
    // Started in the message's order: each one's record reaches the sink before the next one's.
    const statuses = plan.statuses.map((s) => {
      const report: StatusReport = {
        deviceId: this.deviceIdOf(topic, s.device),
        route: SPARKPLUG_ROUTE,
        ref: message.topic,
        status: s.status,
        detail: { ...s.detail, sparkplug: topic.type },
        at: message.receivedAt,
        id: stableId('sparkplug-status', message.topic, message.payload, s.device ?? ''),
      };
      return message.once ? pipeline.reportStatusOnce(report) : pipeline.reportStatus(report);
    });
    const readings =
      plan.readings.length > 0
        ? this.ingestReadings({ route: { name: SPARKPLUG_ROUTE }, deviceId, ref: message.topic, receivedAt: message.receivedAt, readings: plan.readings, contentId: stableId('sparkplug', message.topic, message.payload), raw: message.payload }, message.once)
        : undefined;
    const outcomes = await Promise.all(statuses);
    return readings ? await readings : (outcomes[0] ?? { status: 'forwarded', records: 0, deviceId });
  }

  private ingestReadings(inbound: InboundMessage, once: boolean): Promise<IngestOutcome> {
    return once ? this.options.pipeline.ingestOnce(inbound) : this.options.pipeline.ingest(inbound);
  }

  private deadLetter(message: SparkplugMessage, deviceId: string | undefined, error: Error): Promise<IngestOutcome> {
    const inbound: InboundMessage = {
      route: { name: SPARKPLUG_ROUTE, kind: 'telemetry', decoder: 'json' },
      deviceId,
      ref: message.topic,
      receivedAt: message.receivedAt,
      payload: message.payload,
      ...(message.payloadSize !== undefined ? { payloadSize: message.payloadSize } : {}),
    };
    return this.options.pipeline.deadLetter(inbound, error, { last: message.once });
  }

  private requestRebirth(topic: SparkplugTopic): void {
    const nodeKey = `${topic.group}/${topic.node}`;
    const client = this.options.connection();
    if (!client?.connected || Date.now() - (this.rebirthAt.get(nodeKey) ?? -Infinity) < this.options.config.rebirthIntervalMs) return;
    this.rebirthAt.set(nodeKey, Date.now());
    this.options.rebirthRequests.inc();
    const now = String(Date.now());
    const payload = encodeSparkplug({ timestamp: now, metrics: [{ name: 'Node Control/Rebirth', datatype: DataType.Boolean, boolean_value: true, timestamp: now }] });
    const target = sparkplugTopic({ group: topic.group, node: topic.node, type: 'NCMD' });
    this.options.logger.info({ node: nodeKey, topic: target }, 'asking a Sparkplug edge node for a rebirth');
    client.publish(target, payload, { qos: 0 }, (err) => {
      if (err) this.options.logger.warn({ err: err.message, topic: target }, 'Sparkplug rebirth request not published');
    });
  }

  private deviceIdOf(topic: Pick<SparkplugTopic, 'group' | 'node'>, device: string | undefined): string {
    const { config } = this.options;
    const names: Record<string, string> = { group: topic.group, node: topic.node, ...(device !== undefined ? { device } : {}) };
    return (device !== undefined ? config.deviceId : config.nodeDeviceId).replace(/\{(\w+)\}/g, (_, name: string) => names[name] ?? '');
  }

  private stateTopic(): string {
    return `spBv1.0/STATE/${this.options.config.hostId}`;
  }

  private statePayload(online: boolean): Buffer {
    return Buffer.from(JSON.stringify({ online, timestamp: this.stateTimestamp }));
  }
}

function failed(code: string, message: string): DeliveryOutcome {
  return { status: 'failed', code, message };
}
