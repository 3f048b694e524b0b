import { type Logger } from '@fieldlink/service';

/** MQTT 5 DISCONNECT reason code "Session taken over" (MQTT 5.0 §3.14.2.1). */
export const SESSION_TAKEN_OVER = 0x8e;
/** A connection the broker closes this soon after CONNACK counts as a quick drop. */
const QUICK_DROP_MS = 5000;
/** MQTT 3.1.1 brokers just close the old connection [MQTT-3.1.4-2]; this many quick drops in a row say why. */
const QUICK_DROPS = 3;

/**
 * Two processes with one client id (a wrong replica config) take the session from each other
 * on every reconnect, and each only sees its connection close. This names the cause: at once
 * when an MQTT 5 broker says so, otherwise after repeated drops right after connecting.
 */
export class SessionTakeoverDetector {
  private connectedAt: number | undefined;
  private quickDrops = 0;
  private toldByBroker = false;

  constructor(
    private readonly clientId: string,
    private readonly onTakeover: () => void,
    private readonly logger: Logger,
  ) {}

  connected(now = Date.now()): void {
    this.connectedAt = now;
    this.toldByBroker = false;
  }

  /** The broker's DISCONNECT packet (MQTT 5 only). */
  disconnectedBy(reasonCode: number | undefined): void {
    if (reasonCode !== SESSION_TAKEN_OVER) return;
    this.toldByBroker = true;
    this.report('the broker sent DISCONNECT with reason 0x8E, session taken over');
  }

  closed(now = Date.now()): void {
    const quick = this.connectedAt !== undefined && now - this.connectedAt < QUICK_DROP_MS;
    this.connectedAt = undefined;
    if (this.toldByBroker || !quick) {
      this.quickDrops = 0;
      return;
    }
    if (++this.quickDrops < QUICK_DROPS) return;
    this.quickDrops = 0;
    this.report(`the broker closed the connection ${QUICK_DROPS} times in a row within ${QUICK_DROP_MS / 1000} s of accepting it`);
  }

  private report(evidence: string): void {
    this.onTakeover();
    this.logger.error(
      { clientId: this.clientId, evidence },
      `another MQTT client is connected with our client id "${this.clientId}", and each takes the session from the other: give every gateway replica its own mqtt.clientId (or GATEWAY_INSTANCE_ID)`,
    );
  }
}
