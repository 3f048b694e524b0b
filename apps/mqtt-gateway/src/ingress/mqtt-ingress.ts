import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type IClientOptions, type MqttClient, type Packet } from 'mqtt';
import { type IngestOutcome, type IngestPipeline, spoolDirectory } from '@fieldlink/gateway-core';
import { Backoff } from '@fieldlink/resilience';
import { type Logger, redactUrl } from '@fieldlink/service';
import { stableId } from '@fieldlink/schemas';
import { type MqttRuntimeConfig } from '../config/mqtt-gateway.config';
import { type MappingRouter } from '../mapping/mapping.router';
import { type MqttMetrics } from '../mqtt.metrics';
import { CutPublishes, guardOversizedPublishes, keptPayloadBytes } from '../session/cut-publishes';
import { mqttClientOptions, sessionClientId } from '../session/mqtt-client.factory';
import { SessionTakeoverDetector } from '../session/session-takeover';
import { SparkplugHost } from '../sparkplug/sparkplug-host';
import { isSparkplugTopic } from '../sparkplug/sparkplug-topic';
import { OrderedAcks } from './ordered-acks';
import { recordShardCount } from './shard';

type SendPacket = (packet: Packet, cb?: (err?: Error) => void, ...rest: unknown[]) => void;
type AckCallback = (errorOrCode?: Error | number, code?: number) => void;

const OTHER_SHARD = 'other-shard';
/** On the spool volume: the shard count this replica last ran with. */
const SHARD_COUNT_FILE = 'mqtt-shards.json';

const PLAINTEXT_HINT = 'the broker reset a plaintext connection before accepting it; if that port is TLS-only, use an mqtts:// URL';

/**
 * mqtt.js client of an external broker: the subscribing side of the gateway. It owns the
 * connection, which the downlink publishes on (see `connection`).
 *
 * QoS 1/2 messages are acknowledged only after Kafka has them. mqtt.js's
 * `customHandleAcks` alone would serialise the stream, because it reads the next
 * packet only after the current PUBACK is written. So the handler lets mqtt.js
 * continue at once and the PUBACK/PUBREC it then writes is intercepted and
 * held in OrderedAcks until Kafka confirms: messages are pipelined, acks stay
 * in order and are never sent early.
 *
 * A PUBLISH too large to hold is cut on its way in (session/oversize-guard.ts), and the message is
 * dead-lettered with its full size like any too large one.
 */
export class MqttIngress {
  private client: MqttClient | undefined;
  private readonly router: MappingRouter;
  private readonly inflight = new Map<number, Promise<IngestOutcome | typeof OTHER_SHARD>>();
  private readonly acks: OrderedAcks<Packet>;
  private draining = false;
  private sendPacket: SendPacket | undefined;
  private readonly clientId: string;
  /** The done() of a message read while mqtt.receiveMaximum acks wait for Kafka (see onReliablePublish). */
  private waitingForRoom: (() => void)[] = [];
  private readonly takeovers: SessionTakeoverDetector;
  private readonly cuts: CutPublishes;
  private readonly otherShard: MqttMetrics['otherShard'];
  /** The Sparkplug B host application, when config.sparkplug is set. */
  readonly sparkplug: SparkplugHost | undefined;

  constructor(
    private readonly config: MqttRuntimeConfig,
    private readonly pipeline: IngestPipeline,
    private readonly logger: Logger,
    metrics: MqttMetrics,
  ) {
    this.router = config.runtime.router;
    this.clientId = sessionClientId(config);
    this.takeovers = new SessionTakeoverDetector(this.clientId, () => metrics.sessionTakeovers.inc(), logger);
    this.cuts = new CutPublishes(keptPayloadBytes(config));
    this.otherShard = metrics.otherShard;
    this.sparkplug = config.sparkplug
      ? new SparkplugHost({
          config: config.sparkplug,
          pipeline,
          logger,
          rebirthRequests: metrics.sparkplugRebirthRequests,
          maxPayloadBytes: config.ingest.maxPayloadBytes,
          commandQos: config.commands.qos,
          connection: () => this.client,
        })
      : undefined;
    this.acks = new OrderedAcks((packet) => {
      this.sendPacket?.(packet);
      queueMicrotask(() => this.admitWaiting());
    });
  }

  async start(): Promise<void> {
    const options: IClientOptions = {
      ...mqttClientOptions(this.config),
      customHandleAcks: (topic, payload, packet, done) =>
        this.onReliablePublish(topic, payload, packet as Packet, done as AckCallback),
    };
    const { shard } = this.config.runtime;
    if (shard) this.logger.info({ shard: shard.index, of: shard.count }, 'forwarding the devices of one shard; the other replicas forward the rest');
    recordShardCount(join(spoolDirectory(this.config, 'mqtt-gateway'), SHARD_COUNT_FILE), shard?.count ?? 1, this.logger);
    // manualConnect: the guard must be in place before the first connection is built.
    const client = connect(this.config.mqtt.url, { ...options, manualConnect: true });
    // mqtt.js keeps customHandleAcks only with MQTT 5; with 3.1.1 it acks every QoS 1/2 message as
    // it arrives and emits it as a plain 'message', which nothing forwards: set it on the client.
    client.options.customHandleAcks = options.customHandleAcks;
    guardOversizedPublishes(client, this.config, this.cuts, this.logger);
    this.client = client;
    this.interceptAcks(client);
    client.on('connect', (connack) => {
      this.takeovers.connected();
      this.logger.info({ url: redactUrl(this.config.mqtt.url), sessionPresent: connack.sessionPresent }, 'MQTT connected');
      // With a persistent session the broker keeps our subscriptions; subscribing again is harmless and covers a lost session.
      client.subscribe({ ...this.router.subscriptions(), ...this.sparkplug?.subscriptions() }, (err, granted) => {
        if (err) this.logger.error({ err }, 'MQTT subscribe failed');
        else this.logger.info({ granted: granted?.map((g) => `${g.topic}@${g.qos}`) }, 'MQTT subscribed');
        if (!err) this.sparkplug?.announce(client);
      });
    });
    client.on('disconnect', (packet) => this.takeovers.disconnectedBy(packet.reasonCode));
    client.on('close', () => {
      this.takeovers.closed();
      if (this.acks.pending > 0) this.logger.warn({ unacked: this.acks.pending }, 'MQTT connection closed; the broker will redeliver unacknowledged messages');
      this.acks.reset();
      this.inflight.clear();
      this.cuts.clear();
      // Never call these: done() would write a PUBACK that mqtt.js can send on the next
      // connection, before Kafka has the message. The broker redelivers them instead.
      this.waitingForRoom = [];
    });
    client.on('error', (err) => this.logger.error({ err: err.message }, 'MQTT error'));
    this.backOffReconnects(client);
    client.on('message', (topic, payload, packet) => {
      // QoS 1/2 arrive through customHandleAcks; here only QoS 0, which has no ack.
      if (packet.qos === 0 && !this.draining) {
        // QoS 0 has no ack to hold back, so a message Kafka never took can only be logged.
        this.ingest(topic, payload, undefined, this.cuts.take(topic, undefined, payload)).catch((err: unknown) => this.logger.warn({ err, topic }, 'QoS 0 message not forwarded'));
      }
    });
    this.renewWill(client);
    client.connect();
    await waitForConnect(client);
  }

  isUp(): boolean {
    return this.client?.connected ?? false;
  }

  /** The client, once started: commands are published on the same connection. */
  get connection(): MqttClient | undefined {
    return this.client;
  }

  async stop(): Promise<void> {
    this.draining = true;
    const deadline = Date.now() + this.config.shutdown.drainTimeoutMs;
    while (this.acks.pending > 0 && Date.now() < deadline) await sleep(20);
    this.logger.info({ unacked: this.acks.pending }, 'MQTT acks drained; disconnecting');
    if (this.client && this.sparkplug) await this.sparkplug.retire(this.client, 2000);
    // Forced: a graceful end waits for the socket to close, which never happens while the
    // message held back above keeps mqtt.js's input paused. Every ack is already written,
    // and the session (with whatever was not acknowledged) stays on the broker.
    await this.client?.endAsync(true);
  }

  private onReliablePublish(topic: string, payload: Buffer, packet: Packet, done: AckCallback): void {
    if (this.draining) return; // never call done: the stream stops and the broker keeps the message for next time
    const messageId = (packet as { messageId?: number }).messageId;
    if (messageId !== undefined) {
      const payloadSize = this.cuts.take(topic, messageId, payload);
      const result = this.ingest(topic, payload, redeliveryStableId(this.clientId, messageId, topic, payload), payloadSize);
      // interceptAcks attaches the real handler; this one keeps a rejection whose ack never came
      // through (the connection closed first) from becoming an unhandled rejection that ends the process.
      result.catch(() => undefined);
      this.inflight.set(messageId, result);
    }
    // done() makes mqtt.js write the PUBACK/PUBREC, which interceptAcks holds, and read the next
    // packet. Mosquitto 2.0.11 sends more than our Receive Maximum (mosquitto#2301: 334,601
    // unacknowledged under overload, then a 4 GB heap), so the gateway enforces it itself: with
    // receiveMaximum acks held, done() waits and mqtt.js stops reading; TCP pushes back and the
    // backlog stays on the broker.
    if (this.acks.pending < this.config.mqtt.receiveMaximum) done(0);
    else this.waitingForRoom.push(() => done(0));
  }

  /** A Sparkplug host's will carries the time of the connect it is sent with. */
  private renewWill(client: MqttClient): void {
    if (this.sparkplug) client.options.will = this.sparkplug.will();
  }

  private admitWaiting(): void {
    while (this.waitingForRoom.length > 0 && this.acks.pending < this.config.mqtt.receiveMaximum) this.waitingForRoom.shift()?.();
  }

  /**
   * mqtt.js would retry at a fixed period (its own reconnect is off, see mqttClientOptions); a
   * broker that keeps refusing us (a wrong CA, an expired certificate, a TLS-only port) gets
   * attempts spaced ever further apart instead, each failure logged with its reason.
   */
  private backOffReconnects(client: MqttClient): void {
    const { reconnectPeriodMs, reconnectMaxMs } = this.config.mqtt;
    const backoff = new Backoff({ initialMs: reconnectPeriodMs, maxMs: reconnectMaxMs });
    let lastError = '';
    let timer: NodeJS.Timeout | undefined;
    client.on('error', (err) => (lastError = err.message));
    client.on('connect', () => backoff.reset());
    client.on('close', () => {
      if (this.draining || timer) return;
      const retryInMs = backoff.next();
      const hint = !client.connected && this.config.mqtt.url.startsWith('mqtt://') && /ECONNRESET/.test(lastError) ? { hint: PLAINTEXT_HINT } : {};
      this.logger.warn({ url: redactUrl(this.config.mqtt.url), attempt: backoff.failures, retryInMs, ...(lastError ? { err: lastError } : {}), ...hint }, 'MQTT connection closed or refused; reconnecting');
      lastError = '';
      timer = setTimeout(() => {
        timer = undefined;
        if (this.draining) return;
        this.renewWill(client);
        client.reconnect();
      }, retryInMs);
    });
  }

  private interceptAcks(client: MqttClient): void {
    const target = client as unknown as { _sendPacket: SendPacket };
    const original = target._sendPacket.bind(client);
    this.sendPacket = (packet) => {
      if (client.connected) original(packet);
    };
    target._sendPacket = (packet, cb, ...rest) => {
      const messageId = (packet as { messageId?: number }).messageId;
      const result = (packet.cmd === 'puback' || packet.cmd === 'pubrec') && messageId !== undefined ? this.inflight.get(messageId) : undefined;
      if (!result) {
        original(packet, cb, ...rest);
        return;
      }
      this.inflight.delete(messageId as number);
      const release = this.acks.hold(packet);
      result.then(release, (err: unknown) => {
        // Only a retryable Kafka failure at shutdown lands here: leave it unacked so the broker redelivers.
        this.logger.warn({ err, messageId }, 'message not acknowledged; the broker will redeliver it');
      });
      cb?.(); // let mqtt.js read the next packet now
    };
  }

  /**
   * payloadSize: the full size of a payload the guard cut (see OversizeGuard). A message of another
   * replica's shard (sharding.count) is acknowledged without being forwarded: that replica has it too.
   */
  private ingest(topic: string, payload: Buffer, id?: string, payloadSize?: number): Promise<IngestOutcome | typeof OTHER_SHARD> {
    const receivedAt = new Date();
    if (this.sparkplug && isSparkplugTopic(topic)) {
      return this.sparkplug.ingest({ topic, payload, receivedAt, once: id === undefined, ...(payloadSize !== undefined ? { payloadSize } : {}) });
    }
    const routed = this.router.route(topic);
    const { route, deviceId, labels } = routed ?? { deviceId: undefined, labels: {} };
    const { shard } = this.config.runtime;
    if (shard && !shard.owns(deviceId ?? topic)) {
      this.otherShard.inc();
      return Promise.resolve(OTHER_SHARD);
    }
    // Absent fields stay undefined: spreading them in cost a few objects per message.
    return this.pipeline.ingest({ route, deviceId, labels, payload, ref: topic, receivedAt, id, payloadSize });
  }
}

/**
 * The envelope id of a QoS 1/2 message. When the gateway dies before its PUBACK, the broker
 * resends the message in the same session with the same packet id [MQTT-4.4.0-1], topic and
 * payload, so the copy gets the same id and consumers can drop it. Two different messages get
 * the same id only if they are byte-identical on one topic and the broker gives them the same
 * packet id, which it reuses once acknowledged; so consumers should dedupe by id over a
 * window, not forever (README, "Message ids").
 */
export function redeliveryStableId(clientId: string, packetId: number, topic: string, payload: Buffer): string {
  return stableId('mqtt', clientId, packetId, topic, payload);
}

function waitForConnect(client: MqttClient): Promise<void> {
  if (client.connected) return Promise.resolve();
  // mqtt.js keeps reconnecting on its own; startup waits for the first success.
  return new Promise((resolve) => client.once('connect', () => resolve()));
}
