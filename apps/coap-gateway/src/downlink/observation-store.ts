import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Logger } from '@fieldlink/service';

/** One device's observation of its command resource, as kept across restarts. */
export interface StoredObservation {
  deviceId: string;
  address: string;
  port: number;
  token: Buffer;
  sequence: number;
}

interface FileFormat {
  version: 1;
  observations: { deviceId: string; address: string; port: number; token: string; sequence: number }[];
}

/** Changes within this long are written together: thousands of devices re-observing make one write, not thousands. */
const SAVE_DELAY_MS = 200;
/** Far above what coap.maxObservers' default (100,000, about 120 bytes each) writes: a larger file is not ours. */
const MAX_FILE_BYTES = 256 * 1024 ** 2;

/**
 * The observations of the command resource in a file on the gateway's volume, so a restarted
 * gateway can still notify the devices that observed it: a device does not know the server
 * restarted, and keeps waiting for notifications on its token. Written whole, to a temporary
 * file renamed over the old one, so a crash leaves the old file or the new one, never half.
 */
export class ObservationStore {
  private timer: NodeJS.Timeout | undefined;
  private pending: (() => StoredObservation[]) | undefined;
  private failing = false;

  constructor(
    private readonly file: string,
    private readonly logger: Logger,
  ) {}

  /** What the last run kept; none when there is no file, or (logged) when it cannot be read. */
  load(): StoredObservation[] {
    let text: string;
    try {
      const { size } = statSync(this.file);
      if (size > MAX_FILE_BYTES) throw new Error(`${size} bytes, more than ${MAX_FILE_BYTES}`);
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.logger.warn({ err, file: this.file }, 'observations of the last run not readable; devices must observe again');
      return [];
    }
    try {
      const parsed = JSON.parse(text) as FileFormat;
      if (parsed.version !== 1 || !Array.isArray(parsed.observations)) throw new Error(`unknown format version ${String(parsed.version)}`);
      const valid = parsed.observations.filter(isStored);
      if (valid.length < parsed.observations.length) this.logger.warn({ file: this.file, skipped: parsed.observations.length - valid.length }, 'observations of the last run skipped: not understood');
      return valid.map((o) => ({ ...o, token: Buffer.from(o.token, 'hex') }));
    } catch (err) {
      this.logger.warn({ err, file: this.file }, 'observations of the last run not understood; devices must observe again');
      return [];
    }
  }

  /** Writes what `current` returns soon, with any other change meanwhile. */
  changed(current: () => StoredObservation[]): void {
    this.pending = current;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, SAVE_DELAY_MS);
  }

  /** Writes a pending change now (at shutdown). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const current = this.pending;
    this.pending = undefined;
    if (!current) return;
    const content: FileFormat = { version: 1, observations: current().map((o) => ({ ...o, token: o.token.toString('hex') })) };
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      writeFileSync(`${this.file}.tmp`, JSON.stringify(content));
      renameSync(`${this.file}.tmp`, this.file);
      if (this.failing) this.logger.info({ file: this.file }, 'observations saved again');
      this.failing = false;
    } catch (err) {
      try {
        rmSync(`${this.file}.tmp`, { force: true });
      } catch {
        // Nothing more to do here; the next save writes it again.
      }
      // A full disk: observations still work in memory; a restart then needs devices to observe again.
      if (!this.failing) this.logger.warn({ err, file: this.file }, 'observations not saved (logged once until saved again); after a restart devices must observe again');
      this.failing = true;
    }
  }
}

function isStored(o: unknown): o is FileFormat['observations'][number] {
  const v = o as Record<string, unknown> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v['deviceId'] === 'string' &&
    typeof v['address'] === 'string' &&
    Number.isInteger(v['port']) &&
    typeof v['token'] === 'string' &&
    /^([0-9a-f]{2}){0,8}$/.test(v['token']) &&
    Number.isInteger(v['sequence'])
  );
}
