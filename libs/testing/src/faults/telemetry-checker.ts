import { type Telemetry } from '@fieldlink/schemas';
import { run } from '../processes';
import { waitFor } from '../wait-for';
import { type SeqSet } from './seq-set';

/** What one scenario delivered, against what the broker acknowledged to the devices. */
export interface Delivery {
  acknowledged: number;
  /** Acknowledged seqs that never reached Kafka. */
  lost: number;
  /** Records beyond the first for one (deviceId, seq). */
  rawDuplicates: number;
  /** Of those, records whose id differs from the first copy's: duplicates that dedupe by id misses. */
  duplicatesAfterDedupe: number;
  /** First copies that arrived after a higher seq of the same device. */
  reordered: number;
  devicesReordered: number;
}

/** Records per kcat run, so a large backlog never sits in memory as one string. */
const POLL_RECORDS = 200_000;

class DeviceTrack {
  seen = new Uint8Array(1024);
  firstId = new Int32Array(1024);
  maxSeq = -1;
  reordered = 0;

  grow(seq: number): void {
    if (seq < this.seen.length) return;
    const size = Math.max(seq + 1, this.seen.length * 2);
    const seen = new Uint8Array(size);
    seen.set(this.seen);
    const firstId = new Int32Array(size);
    firstId.set(this.firstId);
    this.seen = seen;
    this.firstId = firstId;
  }
}

/**
 * Reads the telemetry topic with kcat (librdkafka, not our code) and tracks, per device,
 * which seqs arrived, how often, under which id and in what order. Each poll reads every
 * partition from where the last one stopped to its current end, so a broker that dies and
 * comes back only delays the check.
 */
export class TelemetryChecker {
  records = 0;
  rawDuplicates = 0;
  duplicatesAfterDedupe = 0;
  private readonly devices = new Map<string, DeviceTrack>();
  private readonly nextOffset: number[];
  private polling: Promise<void> | undefined;

  constructor(
    private readonly brokers: string,
    private readonly topic: string,
    partitions: number,
    /** The metric that carries each device's sequence number. */
    private readonly seqMetric = 'seq',
    /** The devices to check, when the topic also holds others'. */
    private readonly only: (deviceId: string) => boolean = () => true,
  ) {
    this.nextOffset = new Array<number>(partitions).fill(0);
  }

  /** Reads what has arrived since the last poll; a partition kcat cannot read now is read next time. */
  poll(): Promise<void> {
    this.polling ??= Promise.all(this.nextOffset.map((_, p) => this.pollPartition(p))).then(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  private async pollPartition(partition: number): Promise<void> {
    const args = ['-C', '-b', this.brokers, '-t', this.topic, '-p', String(partition), '-o', String(this.nextOffset[partition]), '-c', String(POLL_RECORDS), '-e', '-q', '-f', '%o %s\\n'];
    const result = await run('kcat', args, { timeoutMs: 120_000 }).catch(() => undefined);
    if (!result) return;
    for (const line of result.stdout.split('\n')) {
      const space = line.indexOf(' ');
      if (space < 0) continue;
      const offset = Number(line.slice(0, space));
      if (offset < (this.nextOffset[partition] ?? 0)) continue;
      this.add(JSON.parse(line.slice(space + 1)) as Telemetry);
      this.nextOffset[partition] = offset + 1;
    }
  }

  /** Waits until every acknowledged seq has arrived; fails at the deadline with the count still missing. */
  async waitForAll(acked: Map<string, SeqSet>, timeoutMs: number): Promise<void> {
    await waitFor(
      'every acknowledged message in Kafka',
      async () => {
        await this.poll();
        if (this.missing(acked, 1) === 0) return true;
        throw new Error(`${this.missing(acked)} of them missing after ${this.records} records`);
      },
      { timeoutMs, intervalMs: 1000 },
    );
  }

  delivery(acked: Map<string, SeqSet>): Delivery {
    let acknowledged = 0;
    for (const set of acked.values()) acknowledged += set.size;
    const tracks = [...this.devices.values()];
    return {
      acknowledged,
      lost: this.missing(acked),
      rawDuplicates: this.rawDuplicates,
      duplicatesAfterDedupe: this.duplicatesAfterDedupe,
      reordered: tracks.reduce((n, t) => n + t.reordered, 0),
      devicesReordered: tracks.filter((t) => t.reordered > 0).length,
    };
  }

  private missing(acked: Map<string, SeqSet>, stopAt = Infinity): number {
    let missing = 0;
    for (const [deviceId, seqs] of acked) {
      const track = this.devices.get(deviceId);
      for (const seq of seqs.values()) {
        if (!track || seq >= track.seen.length || track.seen[seq] === 0) missing++;
        if (missing >= stopAt) return missing;
      }
    }
    return missing;
  }

  private add(telemetry: Telemetry): void {
    const seq = telemetry.values[this.seqMetric]?.value;
    if (typeof seq !== 'number' || !this.only(telemetry.deviceId)) return;
    this.records++;
    let track = this.devices.get(telemetry.deviceId);
    if (!track) this.devices.set(telemetry.deviceId, (track = new DeviceTrack()));
    track.grow(seq);
    const id = hash(telemetry.id);
    if (track.seen[seq] > 0) {
      this.rawDuplicates++;
      if (track.firstId[seq] !== id) this.duplicatesAfterDedupe++;
      track.seen[seq] = Math.min(255, track.seen[seq] + 1);
      return;
    }
    track.seen[seq] = 1;
    track.firstId[seq] = id;
    if (seq < track.maxSeq) track.reordered++;
    track.maxSeq = Math.max(track.maxSeq, seq);
  }
}

/** FNV-1a: 32 bits per id keep millions of records in memory; a false match is 1 in 4 billion. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h | 0;
}
