import { MqttError, MqttErrorCode } from '../errors';

/** [MQTT-2.1.2] Control packet type PUBLISH. */
const PUBLISH = 3;
/** [MQTT-1.5.5] A Variable Byte Integer takes at most four bytes. */
const MAX_VARINT_BYTES = 4;
/**
 * MQTT 5 properties of a PUBLISH being cut are held up to this size and dropped beyond it (the
 * gateway reads none of them). With the topic's 65,535 bytes at most, this bounds what the guard holds.
 */
export const MAX_KEPT_PROPERTIES_BYTES = 64 * 1024;

/** A PUBLISH the guard rewrote. */
export interface CutPublish {
  topic: string;
  /** Absent for QoS 0. */
  packetId: number | undefined;
  /** The payload's full length. */
  payloadBytes: number;
  /** What was passed on: its first bytes. Equal to payloadBytes when only the properties were dropped. */
  keptPayloadBytes: number;
  /** MQTT 5 properties dropped for being over MAX_KEPT_PROPERTIES_BYTES; 0 when they were kept. */
  droppedPropertiesBytes: number;
}

export interface OversizeGuardOptions {
  protocolVersion: 4 | 5;
  /** A longer payload is cut to its first keepPayloadBytes. */
  keepPayloadBytes: number;
  /** Told of each rewritten PUBLISH before any of its bytes are returned. */
  onCut: (cut: CutPublish) => void;
}

interface Segment {
  pass: boolean;
  bytes: number;
}

/**
 * Streams the bytes the broker sends to what mqtt.js may parse: mqtt.js holds a whole packet before
 * it hands it over, and Mosquitto sends up to 256 MB. Every packet passes unchanged except a PUBLISH
 * whose payload is longer than keepPayloadBytes: it becomes a valid, smaller PUBLISH with the same
 * flags, topic, packet id and properties and the payload's first keepPayloadBytes; the rest is
 * dropped as it arrives. Only a PUBLISH whose Remaining Length exceeds keepPayloadBytes is looked
 * into, so others cost a fixed-header parse. One guard per connection: it keeps the packet state.
 */
export class OversizeGuard {
  private phase: 'fixed' | 'header' | 'body' = 'fixed';
  /** The fixed header so far [MQTT-2.1.1]: type and flags, then the Remaining Length. */
  private fixed: number[] = [];
  /** Where the fixed header began in the current chunk; -1 when it began in an earlier one. */
  private fixedStart = -1;
  private remaining = 0;
  private qos = 0;
  /** The variable header of a PUBLISH being looked into: topic, packet id, properties. */
  private held = Buffer.alloc(0);
  private heldLength = 0;
  private need = 0;
  private segments: Segment[] = [];
  private out: Buffer[] = [];

  constructor(private readonly options: OversizeGuardOptions) {}

  /** What to hand to the MQTT parser for these bytes from the broker; throws MqttError on bytes that are no MQTT. */
  push(chunk: Buffer): Buffer[] {
    this.out = [];
    this.fixedStart = -1;
    let at = 0;
    while (at < chunk.length) {
      if (this.phase === 'fixed') at = this.readFixed(chunk, at);
      else if (this.phase === 'header') at = this.readHeader(chunk, at);
      else at = this.readBody(chunk, at);
    }
    return this.out;
  }

  private readFixed(chunk: Buffer, at: number): number {
    if (this.fixed.length === 0) this.fixedStart = at;
    const byte = chunk[at];
    this.fixed.push(byte);
    if (this.fixed.length === 1) return at + 1;
    if (byte & 0x80) {
      if (this.fixed.length > MAX_VARINT_BYTES) throw malformed('a Remaining Length longer than four bytes [MQTT-1.5.5]');
      return at + 1;
    }
    this.startPacket(chunk, at + 1);
    return at + 1;
  }

  private startPacket(chunk: Buffer, end: number): void {
    const first = this.fixed[0];
    this.remaining = (readVarint(this.fixed, 1, this.fixed.length) as { value: number }).value;
    if (first >> 4 === PUBLISH && this.remaining > this.options.keepPayloadBytes) {
      this.qos = (first >> 1) & 3;
      if (this.qos === 3) throw malformed('a PUBLISH with QoS 3 [MQTT-3.3.1-4]');
      this.phase = 'header';
      this.heldLength = 0;
      this.want(2);
      return;
    }
    this.emit(this.fixedStart >= 0 ? chunk.subarray(this.fixedStart, end) : Buffer.from(this.fixed));
    this.fixed = [];
    this.enterBody([{ pass: true, bytes: this.remaining }]);
  }

  private readHeader(chunk: Buffer, at: number): number {
    const n = Math.min(this.need - this.heldLength, chunk.length - at);
    chunk.copy(this.held, this.heldLength, at, at + n);
    this.heldLength += n;
    if (this.heldLength === this.need) this.parseHeader();
    return at + n;
  }

  /** [MQTT-3.3.2] Topic Name, Packet Identifier (QoS 1, 2), then in MQTT 5 the Properties. */
  private parseHeader(): void {
    const idEnd = 2 + this.held.readUInt16BE(0) + (this.qos > 0 ? 2 : 0);
    if (this.heldLength < idEnd) return this.want(idEnd);
    if (this.options.protocolVersion === 4) return this.cut(this.held.subarray(0, idEnd), 0);
    const properties = readVarint(this.held, idEnd, this.heldLength);
    if (!properties) return this.want(this.heldLength + 1);
    if (properties.value > MAX_KEPT_PROPERTIES_BYTES) {
      return this.cut(Buffer.concat([this.held.subarray(0, idEnd), Buffer.from([0])]), properties.value);
    }
    const end = properties.end + properties.value;
    if (this.heldLength < end) return this.want(end);
    return this.cut(this.held.subarray(0, end), 0);
  }

  /** Emits the rewritten fixed and variable headers; then the body skips `skipProperties` bytes and cuts the payload. */
  private cut(header: Buffer, skipProperties: number): void {
    const first = this.fixed[0];
    this.fixed = [];
    const payloadBytes = this.remaining - this.heldLength - skipProperties;
    if (payloadBytes < 0) throw malformed('PUBLISH properties longer than the packet');
    const keptPayloadBytes = Math.min(payloadBytes, this.options.keepPayloadBytes);
    if (keptPayloadBytes < payloadBytes || skipProperties > 0) {
      const topicEnd = 2 + this.held.readUInt16BE(0);
      this.options.onCut({
        topic: this.held.toString('utf8', 2, topicEnd),
        packetId: this.qos > 0 ? this.held.readUInt16BE(topicEnd) : undefined,
        payloadBytes,
        keptPayloadBytes,
        droppedPropertiesBytes: skipProperties,
      });
    }
    this.emit(Buffer.concat([Buffer.from([first]), encodeVarint(header.length + keptPayloadBytes), header]));
    this.enterBody([
      { pass: false, bytes: skipProperties },
      { pass: true, bytes: keptPayloadBytes },
      { pass: false, bytes: payloadBytes - keptPayloadBytes },
    ]);
  }

  private want(bytes: number): void {
    if (bytes > this.remaining) throw malformed('a PUBLISH header longer than the packet');
    if (bytes > this.held.length) {
      const grown = Buffer.allocUnsafe(bytes);
      this.held.copy(grown, 0, 0, this.heldLength);
      this.held = grown;
    }
    this.need = bytes;
  }

  private readBody(chunk: Buffer, at: number): number {
    const segment = this.segments[0];
    const n = Math.min(segment.bytes, chunk.length - at);
    if (segment.pass) this.emit(chunk.subarray(at, at + n));
    segment.bytes -= n;
    if (segment.bytes === 0) this.enterBody(this.segments.slice(1));
    return at + n;
  }

  private enterBody(segments: Segment[]): void {
    this.segments = segments.filter((s) => s.bytes > 0);
    this.phase = this.segments.length > 0 ? 'body' : 'fixed';
  }

  /** Appends bytes to the output, as one view with the previous ones when they are adjacent in memory (a run of passed packets). */
  private emit(bytes: Buffer): void {
    const last = this.out[this.out.length - 1];
    if (last && last.buffer === bytes.buffer && last.byteOffset + last.length === bytes.byteOffset) {
      this.out[this.out.length - 1] = Buffer.from(last.buffer, last.byteOffset, last.length + bytes.length);
    } else {
      this.out.push(bytes);
    }
  }
}

/** [MQTT-1.5.5] A Variable Byte Integer from `from`, or undefined when it does not end before `to`. */
function readVarint(bytes: ArrayLike<number>, from: number, to: number): { value: number; end: number } | undefined {
  let value = 0;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    if (from + i >= to) return undefined;
    const byte = bytes[from + i];
    value += (byte & 0x7f) * 128 ** i;
    if ((byte & 0x80) === 0) return { value, end: from + i + 1 };
  }
  throw malformed('a Variable Byte Integer longer than four bytes [MQTT-1.5.5]');
}

function encodeVarint(value: number): Buffer {
  const bytes: number[] = [];
  do {
    const byte = value % 128;
    value = Math.floor(value / 128);
    bytes.push(value > 0 ? byte | 0x80 : byte);
  } while (value > 0);
  return Buffer.from(bytes);
}

function malformed(what: string): MqttError {
  return new MqttError(MqttErrorCode.MalformedPacket, `the broker sent ${what}; closing the connection`);
}
