import { type RemoteInfo } from 'node:dgram';
import { CoreErrorCode, type DeviceRegistry } from '@fieldlink/gateway-core';
import { type Logger } from '@fieldlink/service';
import { uintOption } from '../session/coap-server';
import { type DeviceAuth } from './device-auth';
import { type CoapRequest } from './request';
import { type CoapReply, responseCodeFor } from './response';

/** Where observations of the command resource are kept: the downlink's CommandNotifier. */
export interface CommandObservers {
  observe(deviceId: string, from: Pick<RemoteInfo, 'address' | 'port'>, token: Buffer): void;
  cancel(deviceId: string, from: Pick<RemoteInfo, 'address' | 'port'>, token: Buffer): boolean;
}

/** GET of the command resource: Observe 0 registers the device for commands (RFC 7641); Observe 1 ends that. */
export class CommandObserve {
  constructor(
    private readonly observers: () => CommandObservers | undefined,
    private readonly devices: DeviceRegistry,
    private readonly auth: DeviceAuth,
    private readonly logger: Logger,
  ) {}

  handle({ req, path, query }: CoapRequest, deviceId: string): CoapReply {
    const refused = this.auth.check(deviceId, query, req._packet.options);
    if (refused) return refused;
    const observe = uintOption(req, 'Observe');
    const token = req._packet.token ?? Buffer.alloc(0);
    const observers = this.observers();
    if (observe === 0 && observers) {
      if (!this.devices.mayClaim(deviceId, 'commands', path)) {
        return { code: responseCodeFor(CoreErrorCode.DeviceClaimRefused), diagnostic: `${CoreErrorCode.DeviceClaimRefused}: device "${deviceId}" is served over another protocol` };
      }
      observers.observe(deviceId, req.rsinfo, token);
      // Commands are routed to the instance the registry names, so observing makes this one the device's gateway.
      void this.devices.seen(deviceId, 'commands', path, new Date());
      this.logger.info({ deviceId, from: `${req.rsinfo.address}:${req.rsinfo.port}` }, 'device observes its commands');
      return { code: '2.05', observe: true, contentFormat: 50 };
    }
    if (observe === 1) {
      observers?.cancel(deviceId, req.rsinfo, token);
      return { code: '2.05' };
    }
    return { code: '4.00', diagnostic: `observe ${path} (Observe: 0) to receive commands` };
  }
}
