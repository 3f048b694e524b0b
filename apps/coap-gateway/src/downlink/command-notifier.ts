import { type RemoteInfo } from 'node:dgram';
import { type DeliveryOutcome, renderCommand } from '@fieldlink/gateway-core';
import { type Command } from '@fieldlink/schemas';
import { CoapErrorCode } from '../errors';
import { encodeUint } from '../session/coap-uint';
import { type ConfirmableSender } from './confirmable-sender';

export interface Observation {
  address: string;
  port: number;
  token: Buffer;
  /** The Observe option value of the latest notification (RFC 7641 §3.4), 24 bits. */
  sequence: number;
}

const CONTENT_FORMAT_JSON = 50;
/**
 * Added to a restored observation's sequence: the sequence is saved only every
 * SEQUENCE_SAVE_EVERY notifications and the store writes late, while a device drops a
 * notification whose Observe value is not newer than the last one it got (RFC 7641 §3.4),
 * unless 128 s have passed.
 */
const RESTORED_SEQUENCE_MARGIN = 1000;
/** Well under the margin, so a restored sequence is always ahead of the last one sent. */
const SEQUENCE_SAVE_EVERY = 256;

/**
 * Devices that observe their command resource (RFC 7641), and commands sent to them as
 * confirmable notifications. A notification that is reset or never acknowledged ends the
 * observation (RFC 7641 §4.5): the device observes again when it comes back. The observations
 * outlive a restart (restore, onChange): a device keeps waiting on its token meanwhile.
 */
export class CommandNotifier {
  private readonly observations = new Map<string, Observation>();

  constructor(
    private readonly sender: ConfirmableSender,
    private readonly template: unknown,
    private readonly limits: { maxObservers: number; onEvict: () => void },
    /** Told after every change of the observations, so they can be kept across restarts. */
    private readonly onChange: () => void = () => undefined,
  ) {}

  /** The observations of a previous run, before any device observes anew. */
  restore(observations: readonly (Observation & { deviceId: string })[]): void {
    for (const { deviceId, address, port, token, sequence } of observations.slice(-this.limits.maxObservers)) {
      this.observations.set(deviceId, { address, port, token, sequence: (sequence + RESTORED_SEQUENCE_MARGIN) % 0x1000000 });
    }
  }

  /** Every observation, in registration order. */
  snapshot(): (Observation & { deviceId: string })[] {
    return [...this.observations].map(([deviceId, o]) => ({ deviceId, ...o }));
  }

  get observers(): number {
    return this.observations.size;
  }

  /** A GET with Observe 0; the registration's own answer (Observe 1) is node-coap's. A later one replaces it. */
  observe(deviceId: string, from: Pick<RemoteInfo, 'address' | 'port'>, token: Buffer): void {
    // Re-inserted, so the map stays in registration order and the least recently registered ends first.
    this.observations.delete(deviceId);
    this.observations.set(deviceId, { address: from.address, port: from.port, token, sequence: 1 });
    for (const [oldest] of this.observations) {
      if (this.observations.size <= this.limits.maxObservers) break;
      // Its commands now fail FL_COAP_NOT_OBSERVING until the device observes again.
      this.observations.delete(oldest);
      this.limits.onEvict();
    }
    this.onChange();
  }

  /** A GET with Observe 1 (RFC 7641 §3.6); only the observation it names, by endpoint and token. */
  cancel(deviceId: string, from: Pick<RemoteInfo, 'address' | 'port'>, token: Buffer): boolean {
    const observation = this.observations.get(deviceId);
    if (!observation || observation.address !== from.address || observation.port !== from.port || !observation.token.equals(token)) return false;
    this.observations.delete(deviceId);
    this.onChange();
    return true;
  }

  onDatagram(message: Buffer, from: RemoteInfo): void {
    this.sender.onDatagram(message, from);
  }

  /** At shutdown: commands waiting for an ACK are reported failed now, while Kafka is still there. */
  close(): void {
    this.sender.close();
  }

  async deliver(command: Command): Promise<DeliveryOutcome> {
    const observation = this.observations.get(command.deviceId);
    if (!observation) return { status: 'failed', code: CoapErrorCode.NotObserving, message: `device "${command.deviceId}" does not observe its command resource on this gateway` };
    observation.sequence = (observation.sequence + 1) % 0x1000000;
    // Saved now and then, not per notification: the restore margin covers what was not saved.
    if (observation.sequence % SEQUENCE_SAVE_EVERY === 0) this.onChange();
    const options = [
      { name: 'Observe' as const, value: encodeUint(observation.sequence) },
      { name: 'Content-Format' as const, value: encodeUint(CONTENT_FORMAT_JSON) },
    ];
    const payload = Buffer.from(renderCommand(this.template, command));
    const outcome = await this.sender.send({ code: '2.05', token: observation.token, options, payload }, observation.address, observation.port);
    if (outcome === 'acked') return { status: 'delivered' };
    if (outcome === 'aborted') return { status: 'failed', code: CoapErrorCode.Shutdown, message: `the gateway stopped before device "${command.deviceId}" acknowledged the notification; it may have received it` };
    // Only the observation this notification went to: the device may have observed again meanwhile.
    if (this.observations.get(command.deviceId) === observation) {
      this.observations.delete(command.deviceId);
      this.onChange();
    }
    return outcome === 'reset'
      ? { status: 'failed', code: CoapErrorCode.Reset, message: `device "${command.deviceId}" reset the notification; it no longer observes` }
      : { status: 'failed', code: CoapErrorCode.NoAck, message: `device "${command.deviceId}" acknowledged no transmission of the notification; its observation ended` };
  }
}
