import { type Socket } from 'node:dgram';
import { CoreErrorCode, DEFAULT_COMMAND_TEMPLATE, type DeliveryOutcome } from '@fieldlink/gateway-core';
import { type Command } from '@fieldlink/schemas';
import { type Counter } from 'prom-client';
import { type CoapGatewayConfig } from '../config/coap-gateway.config';
import { type Logger } from '@fieldlink/service';
import { CommandNotifier } from './command-notifier';
import { type ObservationStore } from './observation-store';
import { ConfirmableSender } from './confirmable-sender';

/** Commands to devices: a CommandNotifier on the gateway's socket, from the moment it is bound. */
export class CoapDownlink {
  private notifier: CommandNotifier | undefined;

  constructor(
    private readonly config: CoapGatewayConfig,
    private readonly observersEvicted: Counter,
    /** Where observations outlive a restart; none with commands.persistObservations off. */
    private readonly store: ObservationStore | undefined,
    private readonly logger: Logger,
  ) {}

  /** Sends on the socket, and reads every datagram it receives for the ACKs and RSTs of notifications. */
  attach(socket: Socket): void {
    const sender = new ConfirmableSender(socket, this.config.coap);
    const limits = { maxObservers: this.config.coap.maxObservers, onEvict: () => this.observersEvicted.inc() };
    const store = this.store;
    const notifier: CommandNotifier = new CommandNotifier(sender, this.config.commands.payload ?? DEFAULT_COMMAND_TEMPLATE, limits, () => store?.changed(() => notifier.snapshot()));
    const restored = store?.load() ?? [];
    notifier.restore(restored);
    if (restored.length > 0) this.logger.info({ observers: notifier.observers }, 'observations of the last run restored; their devices get commands without observing again');
    this.notifier = notifier;
    socket.on('message', (message, from) => notifier.onDatagram(message, from));
  }

  /** Where ingress registers and cancels observations of the command resource; undefined before `attach`. */
  get observations(): CommandNotifier | undefined {
    return this.notifier;
  }

  get observers(): number {
    return this.notifier?.observers ?? 0;
  }

  close(): void {
    this.notifier?.close();
    this.store?.flush();
  }

  deliver(command: Command): Promise<DeliveryOutcome> {
    if (!this.notifier) return Promise.resolve({ status: 'failed', code: CoreErrorCode.CommandNotDelivered, message: 'the CoAP server is not started' });
    return this.notifier.deliver(command);
  }
}
