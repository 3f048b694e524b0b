import { type MqttClient } from 'mqtt';
import { type Logger } from '@fieldlink/service';
import { type MqttGatewayConfig } from '../config/mqtt-gateway.config';
import { filterIncoming } from './guarded-stream';
import { type CutPublish, OversizeGuard } from './oversize-guard';

/**
 * Payload bytes the gateway holds of one PUBLISH: one more than ingest.maxPayloadBytes, so the
 * pipeline still sees it is too large, or ingest.deadLetterMaxBytes if that is more, so a dead
 * letter keeps as many raw bytes as it would have kept of the whole payload.
 */
export function keptPayloadBytes(config: MqttGatewayConfig): number {
  return Math.max(config.ingest.maxPayloadBytes + 1, config.ingest.deadLetterMaxBytes);
}

/**
 * The full payload sizes of the PUBLISHes the guard cut, from when the guard reads the header to
 * when the ingress receives the message mqtt.js parsed from it. Keyed by topic and packet id; QoS 0
 * messages (no packet id) queue per topic, in the order the broker sent them.
 */
export class CutPublishes {
  private readonly sizes = new Map<string, number[]>();

  constructor(readonly keptBytes: number) {}

  record(topic: string, packetId: number | undefined, payloadBytes: number): void {
    const key = keyOf(topic, packetId);
    const queue = this.sizes.get(key);
    // A packet id names one message in flight: an entry left by one mqtt.js never delivered
    // (a QoS 2 duplicate) is replaced, not queued.
    if (queue && packetId === undefined) queue.push(payloadBytes);
    else this.sizes.set(key, [payloadBytes]);
  }

  /** The full size of a message whose payload the guard cut; undefined for one it passed whole. */
  take(topic: string, packetId: number | undefined, payload: Buffer): number | undefined {
    if (payload.length !== this.keptBytes) return undefined;
    const key = keyOf(topic, packetId);
    const queue = this.sizes.get(key);
    const size = queue?.shift();
    if (queue?.length === 0) this.sizes.delete(key);
    return size;
  }

  /** On every close: mqtt.js drops what it had not delivered, and the broker sends it again. */
  clear(): void {
    this.sizes.clear();
  }
}

function keyOf(topic: string, packetId: number | undefined): string {
  return `${packetId ?? '-'}:${topic}`;
}

/** Reads every connection of `client` through an OversizeGuard that records what it cuts in `cuts`. Call before `client.connect()`. */
export function guardOversizedPublishes(client: MqttClient, config: MqttGatewayConfig, cuts: CutPublishes, logger: Logger): void {
  const onCut = (cut: CutPublish) => {
    if (cut.keptPayloadBytes < cut.payloadBytes) cuts.record(cut.topic, cut.packetId, cut.payloadBytes);
    if (cut.droppedPropertiesBytes > 0) {
      logger.warn({ topic: cut.topic, packetId: cut.packetId, droppedPropertiesBytes: cut.droppedPropertiesBytes }, 'MQTT PUBLISH passed on without its properties, too large to hold');
    }
  };
  filterIncoming(client, () => new OversizeGuard({ protocolVersion: config.mqtt.protocolVersion, keepPayloadBytes: cuts.keptBytes, onCut }));
}
