import { type Counter } from 'prom-client';
import { type IngestOutcome, type IngestPipeline } from '@fieldlink/gateway-core';
import { type ReaderConfig } from '../config/dds-gateway.config';
import { type InstanceState } from '../session/dds-sample';

const REASON: Record<Exclude<InstanceState, 'ALIVE'>, string> = { NOT_ALIVE_DISPOSED: 'disposed', NOT_ALIVE_NO_WRITERS: 'no_writers' };

/**
 * Turns DDS instance states into device-status records: `offline` (reason disposed or
 * no_writers) when an instance stops being alive, `online` when it is alive again. DDS reports
 * the state on every sample, with or without data, so only changes are written.
 */
export class InstanceLifecycle {
  private readonly states = new Map<string, InstanceState>();

  constructor(
    private readonly pipeline: IngestPipeline,
    private readonly changes: Counter<'reader' | 'state'>,
  ) {}

  /** Writes the device's status if its instance state changed; undefined, at no cost, if it did not. */
  observe(reader: ReaderConfig, deviceId: string, state: InstanceState, at: Date): Promise<IngestOutcome> | undefined {
    // Nearly every sample is of an instance that was and is alive: nothing to look up.
    if (state === 'ALIVE' && this.states.size === 0) return undefined;
    const key = `${reader.name}\u0000${deviceId}`;
    const previous = this.states.get(key) ?? 'ALIVE';
    if (state === previous) return undefined;
    if (state === 'ALIVE') this.states.delete(key);
    else this.states.set(key, state);
    const report = {
      deviceId,
      route: reader.name,
      ref: reader.topic,
      status: state === 'ALIVE' ? 'online' : 'offline',
      detail: { instanceState: state, ...(state === 'ALIVE' ? {} : { reason: REASON[state] }) },
      at,
    };
    // On failure the old state is restored, so the caller's retry reports the change again.
    return this.pipeline.reportStatus(report).then(
      (outcome) => {
        this.changes.inc({ reader: reader.name, state });
        return outcome;
      },
      (err: unknown) => {
        if (previous === 'ALIVE') this.states.delete(key);
        else this.states.set(key, previous);
        throw err;
      },
    );
  }
}
