import { type ConsumedRecord, type KafkaService } from '@fieldlink/kafka';
import { type DeviceRecord, SCHEMA_VERSION, type TopicMap, parseJson, readDeviceRecord } from '@fieldlink/schemas';
import { type Logger } from '@fieldlink/service';
import { type Protocol } from '../ingest/inbound-message';
import { type DeviceRegistryMetrics } from './device-registry.metrics';
import { DeviceTable } from './device-table';
import { TopicFollower } from './topic-follower';

export interface DeviceRegistryOptions {
  topics: TopicMap;
  protocol: Protocol;
  /**
   * What this instance writes as a device's `gateway`: its instance id, or the command group it
   * shares with its replicas, any of which can deliver to the device (MQTT through its broker).
   */
  servedAs: string;
  /** The group this instance reads the registry with; it rewinds on every start. */
  groupId: string;
  /** How often a device's record is refreshed while it keeps sending (its lastSeen). */
  refreshMs: number;
  /** How long a lookup waits for the registry to catch up with Kafka before it answers anyway. */
  catchUpTimeoutMs: number;
  /** Devices held; beyond this the one seen least recently (lastSeen) is forgotten. */
  maxDevices: number;
  /** How long the first load may take before commands are routed from what is loaded. */
  loadTimeoutMs: number;
  /** Whether a sighting over this protocol may take a device the registry has under another one. */
  claimFromOtherProtocols: boolean;
}

/**
 * Where each device lives, in the compacted topic `<prefix>devices` keyed by deviceId. The
 * instance that serves a device writes its record: on first sight, when the device arrives
 * from another instance, and every refreshMs while it keeps sending. Every instance reads the
 * whole topic, so command routing knows each device's owner.
 *
 * A device stays with its protocol: a message over another protocol naming its id (a CoAP
 * POST with `device_id` of an MQTT device, say) does not take its commands, unless
 * `claimFromOtherProtocols`. The refusal is counted and logged once per device; an operator moves
 * a device by writing a tombstone for it.
 *
 * It holds at most `maxDevices`: a device forgotten (seen less recently than all those held) is
 * unknown to command routing until it sends again, so a command for it fails with
 * FL_COMMAND_UNKNOWN_DEVICE from the router; its record stays in the topic.
 */
export class DeviceRegistry {
  private readonly devices: DeviceTable;
  /** When this instance last wrote each of its devices' records; only devices still held. */
  private readonly written = new Map<string, number>();
  private readonly follower: TopicFollower;
  private loaded = false;
  private readonly early = new Map<string, [route: string, ref: string, at: Date]>();
  private readonly takenListeners: ((deviceId: string) => void)[] = [];
  /** Devices whose refused claim has been logged; bounded like the table. */
  private readonly refusalsLogged = new Set<string>();
  /** Set by the module once the metrics registry is there. */
  metrics: DeviceRegistryMetrics | undefined;

  constructor(
    private readonly kafka: KafkaService,
    private readonly options: DeviceRegistryOptions,
    private readonly logger: Logger,
  ) {
    this.devices = new DeviceTable(options.maxDevices, (deviceId) => {
      this.written.delete(deviceId);
      this.metrics?.evicted.inc();
    });
    this.follower = new TopicFollower(
      kafka,
      { name: 'devices-consumer', what: 'device registry', groupId: options.groupId, topic: options.topics.devices, apply: (r) => this.apply(r), progress: () => ({ devices: this.devices.size }) },
      logger,
    );
  }

  /** Devices held now. */
  get size(): number {
    return this.devices.size;
  }

  /** Whether a device has been forgotten to stay within maxDevices: a command for an unknown device may be for one. */
  get forgets(): boolean {
    return this.devices.evicted > 0;
  }

  get maxDevices(): number {
    return this.options.maxDevices;
  }

  async start(): Promise<void> {
    await this.follower.start();
    // A long deadline: deciding from half a registry would fail commands for devices that exist.
    const complete = await this.follower.caughtUp(this.options.loadTimeoutMs);
    this.loaded = true;
    if (complete) this.logger.info({ devices: this.devices.size }, 'device registry loaded');
    else this.logger.error({ devices: this.devices.size, loadTimeoutMs: this.options.loadTimeoutMs }, 'device registry not loaded within devices.loadTimeoutMs; routing commands from what is loaded');
    for (const [deviceId, [route, ref, at]] of this.early) void this.seen(deviceId, route, ref, at);
    this.early.clear();
  }

  /** The record of the instance serving this device, once the registry has caught up with Kafka. */
  async owner(deviceId: string): Promise<DeviceRecord | undefined> {
    await this.follower.recentlyCaughtUp(this.options.catchUpTimeoutMs);
    return this.devices.get(deviceId);
  }

  /** Called for every message from a device: writes its record when it is new here or due a refresh. */
  async seen(deviceId: string, route: string, ref: string, at: Date): Promise<void> {
    if (!this.loaded) {
      // Until the registry is loaded its firstSeen is unknown; the latest sighting is written then.
      // Beyond maxDevices a new one is written with its next message instead.
      if (this.early.has(deviceId) || this.early.size < this.options.maxDevices) this.early.set(deviceId, [route, ref, at]);
      return;
    }
    // A device new here may be one whose record is not read yet: its protocol is checked once caught up.
    if (!this.devices.get(deviceId)) await this.follower.recentlyCaughtUp(this.options.catchUpTimeoutMs);
    if (!this.mayClaim(deviceId, route, ref)) return;
    const known = this.devices.get(deviceId);
    const ours = known?.gateway === this.options.servedAs && known.protocol === this.options.protocol;
    const last = this.written.get(deviceId);
    if (ours && last !== undefined && at.getTime() - last < this.options.refreshMs) return;
    const record: DeviceRecord = {
      schemaVersion: SCHEMA_VERSION,
      deviceId,
      protocol: this.options.protocol,
      gateway: this.options.servedAs,
      ref,
      route,
      firstSeen: known?.firstSeen ?? at.toISOString(),
      lastSeen: at.toISOString(),
    };
    this.written.set(deviceId, at.getTime());
    this.devices.set(deviceId, record);
    if (known && known.gateway !== this.options.servedAs) for (const listener of this.takenListeners) listener(deviceId);
    try {
      await this.kafka.producer.send({ topic: this.options.topics.devices, key: deviceId, value: JSON.stringify(record) });
    } catch (err) {
      // The reading itself is safe; the record is written again with the next one.
      this.written.delete(deviceId);
      this.logger.warn({ err, deviceId }, 'device registry record not written; retrying with the next message');
    }
  }

  /** Called when this instance takes a device another instance served (it died, or the device moved here). */
  onTaken(listener: (deviceId: string) => void): void {
    this.takenListeners.push(listener);
  }

  /**
   * Whether a message over this protocol may make this instance the device's gateway: false (counted,
   * logged once per device) when the registry has it under another protocol and claims across are off.
   */
  mayClaim(deviceId: string, route: string, ref: string): boolean {
    const known = this.devices.get(deviceId);
    if (!known || known.protocol === this.options.protocol || this.options.claimFromOtherProtocols) return true;
    this.refuseClaim(known, route, ref);
    return false;
  }

  private refuseClaim(known: DeviceRecord, route: string, ref: string): void {
    this.metrics?.claimsRefused.inc({ owner: known.protocol });
    if (this.refusalsLogged.has(known.deviceId)) return;
    if (this.refusalsLogged.size >= this.options.maxDevices) this.refusalsLogged.clear();
    this.refusalsLogged.add(known.deviceId);
    this.logger.warn(
      { deviceId: known.deviceId, route, ref, owner: { protocol: known.protocol, gateway: known.gateway } },
      'a message names a device served over another protocol; it keeps its owner (devices.claimFromOtherProtocols is off). Logged once per device',
    );
  }

  private apply(record: ConsumedRecord): void {
    if (!record.key) return;
    if (!record.value) {
      this.devices.delete(record.key); // a tombstone: an operator removed the device
      this.written.delete(record.key);
      return;
    }
    try {
      const device = readDeviceRecord.assert(parseJson(record.value));
      const mine = this.devices.get(record.key);
      // Our own newer record (written but not yet read back) wins over an older one from Kafka.
      if (mine && mine.gateway === this.options.servedAs && mine.lastSeen > device.lastSeen) return;
      this.devices.set(record.key, device);
    } catch (err) {
      this.logger.warn({ err, key: record.key, offset: record.offset }, 'ignoring an invalid device registry record');
    }
  }
}
