import { type OutgoingRecord } from '@fieldlink/kafka';
import { stableId, type Telemetry, type TopicMap } from '@fieldlink/schemas';
import { alertRecord, silenceStatusRecord } from './outputs';
import { type ProcessingConfig } from './processing-config';

interface LastSeen {
  /** Kafka record time of the device's latest reading: when it arrived, whatever the device's clock says. */
  at: number;
  telemetry: Telemetry;
  silent: boolean;
}

/**
 * Devices that stopped sending. Readings (live or replayed) keep each device's last arrival;
 * `check` runs on the wall clock and reports a device silent for longer than its limit once, as
 * device-status offline (reason silent) with an alert; its next reading reports it online and
 * clears the alert. Ids derive from the readings before and after the gap, so a restart that
 * rebuilds the state by replay and finds the same silence writes the same ids again, which
 * consumers drop.
 */
export class SilenceWatch {
  private readonly devices = new Map<string, LastSeen>();
  private readonly rules: { pattern: RegExp; afterMs: number }[];

  constructor(
    private readonly config: ProcessingConfig,
    private readonly topics: TopicMap,
    private readonly onAlert: (state: 'raised' | 'cleared') => void,
  ) {
    this.rules = config.silence.devices.map((d) => ({ pattern: glob(d.match), afterMs: d.afterMs }));
  }

  /**
   * A reading after a gap of at least the limit ends a silence, whether or not this instance saw
   * it begin (it may have been reported before a restart, or fallen between two checks): the
   * silence is reported first if it was not, then its end, so raised and cleared always pair.
   */
  observe(telemetry: Telemetry, arrivedAt: number, outputs: OutgoingRecord[]): void {
    const seen = this.devices.get(telemetry.deviceId);
    if (seen && arrivedAt < seen.at) return;
    const limit = this.limitFor(telemetry.deviceId);
    if (seen && (seen.silent || (limit > 0 && arrivedAt - seen.at >= limit))) {
      if (!seen.silent) this.reportSilent(seen, seen.at + limit, outputs);
      this.recovered(seen, telemetry, arrivedAt, outputs);
    }
    this.devices.set(telemetry.deviceId, { at: arrivedAt, telemetry, silent: false });
  }

  check(now: number, outputs: OutgoingRecord[]): void {
    for (const seen of this.devices.values()) {
      const limit = this.limitFor(seen.telemetry.deviceId);
      if (!seen.silent && limit > 0 && now - seen.at >= limit) this.reportSilent(seen, now, outputs);
    }
  }

  private reportSilent(seen: LastSeen, now: number, outputs: OutgoingRecord[]): void {
    seen.silent = true;
    const limit = this.limitFor(seen.telemetry.deviceId);
    const { deviceId, id: lastId } = seen.telemetry;
    const detail = { reason: 'silent', since: new Date(seen.at).toISOString(), silentForMs: now - seen.at, limitMs: limit };
    outputs.push(silenceStatusRecord(this.topics, this.config.gateway.instanceId, seen.telemetry, { id: stableId('silent-status', deviceId, lastId), status: 'offline', at: now, detail }));
    outputs.push(
      alertRecord(this.topics, {
        id: stableId('silent-alert', deviceId, lastId),
        state: 'raised',
        telemetry: { ...seen.telemetry, eventTime: new Date(now).toISOString() },
        metric: 'silence',
        value: Math.round((now - seen.at) / 1000),
        score: 1,
        detector: 'silence',
        severity: 'warning',
      }),
    );
    this.onAlert('raised');
  }

  private recovered(seen: LastSeen, telemetry: Telemetry, arrivedAt: number, outputs: OutgoingRecord[]): void {
    const deviceId = telemetry.deviceId;
    const gapMs = arrivedAt - seen.at;
    const detail = { reason: 'sending_again', since: new Date(seen.at).toISOString(), gapMs };
    outputs.push(silenceStatusRecord(this.topics, this.config.gateway.instanceId, telemetry, { id: stableId('silent-status-cleared', deviceId, telemetry.id), status: 'online', at: arrivedAt, detail }));
    outputs.push(
      alertRecord(this.topics, {
        id: stableId('silent-alert-cleared', deviceId, telemetry.id),
        state: 'cleared',
        telemetry,
        metric: 'silence',
        value: Math.round(gapMs / 1000),
        score: 0,
        detector: 'silence',
        severity: 'warning',
        raisedId: stableId('silent-alert', deviceId, seen.telemetry.id),
      }),
    );
    this.onAlert('cleared');
  }

  /** 0: never silent. */
  private limitFor(deviceId: string): number {
    return this.rules.find((r) => r.pattern.test(deviceId))?.afterMs ?? this.config.silence.afterMs;
  }
}

/** `*` matches any characters; everything else is literal. */
function glob(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}
