import { connect, type MqttClient } from 'mqtt';
import { waitFor } from '../wait-for';
import { SeqSet } from './seq-set';

const TICK_MS = 10;

/**
 * Simulated devices publishing QoS 1 readings `{"seq":n,...}` with a unique, increasing seq per
 * device, at a set rate. It records which seqs the broker acknowledged: those must all reach
 * Kafka. mqtt.js (not our code) with a persistent session resends unacknowledged messages after
 * a reconnect, as a device would.
 */
export class SeqPublisher {
  /** deviceId → seqs the broker acknowledged. */
  readonly acked = new Map<string, SeqSet>();
  published = 0;
  failed = 0;
  private readonly next: number[];
  private inflight = 0;
  private budget = 0;
  private timer: NodeJS.Timeout | undefined;
  private limit = Infinity;

  private constructor(
    private readonly client: MqttClient,
    private readonly topicOf: (device: number) => string,
    private readonly devices: number,
    private readonly maxInflight: number,
    private readonly name: (device: number) => string,
  ) {
    this.next = new Array<number>(devices).fill(0);
    for (let d = 0; d < devices; d++) this.acked.set(name(d), new SeqSet());
  }

  /** Topics are `<root>/sensors/<device>/data` (`sensors/<device>/data` for an empty root), devices named by `name`. */
  static async connect(url: string, clientId: string, root: string, devices: number, maxInflight = 2000, name = deviceId): Promise<SeqPublisher> {
    const client = connect(url, { clientId, clean: false, protocolVersion: 4, reconnectPeriod: 250, connectTimeout: 5000 });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    const prefix = root ? `${root}/` : '';
    return new SeqPublisher(client, (d) => `${prefix}sensors/${name(d)}/data`, devices, maxInflight, name);
  }

  get acknowledged(): number {
    let total = 0;
    for (const set of this.acked.values()) total += set.size;
    return total;
  }

  /** Publishes `perSecond` messages a second, round-robin over the devices, until `total` (if given). */
  start(perSecond: number, total = Infinity): void {
    this.limit = total;
    this.setRate(perSecond);
  }

  setRate(perSecond: number): void {
    clearInterval(this.timer);
    let last = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      this.budget = Math.min(this.budget + ((now - last) * perSecond) / 1000, perSecond);
      last = now;
      // Like a device, it publishes only while connected; mqtt.js resends what was in flight.
      while (this.budget >= 1 && this.client.connected && this.inflight < this.maxInflight && this.published < this.limit) {
        this.publishOne();
        this.budget--;
      }
      if (this.published >= this.limit) clearInterval(this.timer);
    }, TICK_MS);
  }

  stopPublishing(): void {
    clearInterval(this.timer);
  }

  /** Waits until every message published so far has been acknowledged or has failed. */
  async settle(timeoutMs: number): Promise<void> {
    await waitFor('the broker to acknowledge every published message', () => this.inflight === 0, { timeoutMs, intervalMs: 100 });
  }

  async end(): Promise<void> {
    this.stopPublishing();
    await this.client.endAsync(true);
  }

  private publishOne(): void {
    const d = this.published % this.devices;
    const seq = this.next[d]++;
    this.published++;
    this.inflight++;
    const body = JSON.stringify({ seq, temperature: 20 + (seq % 50) / 10 });
    this.client.publish(this.topicOf(d), body, { qos: 1 }, (err) => {
      this.inflight--;
      if (err) this.failed++;
      else this.acked.get(this.name(d))?.add(seq);
    });
  }
}

export const deviceId = (d: number): string => `dev-${d}`;
