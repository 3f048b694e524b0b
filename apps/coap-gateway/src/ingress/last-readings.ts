import { type RouteTable } from '@fieldlink/gateway-core';
import { type CoapRoute } from '../config/coap-gateway.config';
import { type RawContentFormat, formatNumber } from './content-format';
import { type DeviceAuth } from './device-auth';
import { wellKnownCore } from './link-format';
import { type ReadingCache } from './reading-cache';
import { type CoapRequest } from './request';
import { type CoapReply } from './response';

/** The last reading accepted from each device, which GET answers with; bounded by coap.maxLastReadings and coap.maxLastReadingsBytes. */
export class LastReadings {
  constructor(
    private readonly routes: RouteTable<string, CoapRoute>,
    private readonly commandPath: string,
    private readonly auth: DeviceAuth,
    private readonly last: ReadingCache,
  ) {}

  get devices(): number {
    return this.last.size;
  }

  get bytes(): number {
    return this.last.bytes;
  }

  accepted(deviceId: string, payload: Buffer, format: RawContentFormat): void {
    this.last.set(deviceId, { payload, format });
  }

  /** GET /.well-known/core (RFC 6690), or the last reading accepted from a route's device. */
  get({ req, path, query }: CoapRequest): CoapReply {
    if (path.replace(/^\//, '') === '.well-known/core') return { code: '2.05', payload: wellKnownCore(this.routes.routes, this.commandPath), contentFormat: 40 };
    const deviceId = this.routes.match(path)?.deviceId;
    if (deviceId === undefined) return { code: '4.04', diagnostic: `${path} names no device; GET a device path such as /sensors/<deviceId>` };
    const refused = this.auth.check(deviceId, query, req._packet.options);
    if (refused) return refused;
    const last = this.last.get(deviceId);
    if (!last) return { code: '4.04', diagnostic: `no reading from ${deviceId} yet` };
    return { code: '2.05', payload: last.payload, contentFormat: formatNumber(last.format) };
  }
}
