import { type RoutedMessage } from '@fieldlink/gateway-core';
import { deviceIdFromBody } from '@fieldlink/schemas';
import { type Logger } from '@fieldlink/service';
import { type Counter } from 'prom-client';
import { type CoapRoute } from '../config/coap-gateway.config';
import { type AnyDevice, type DeviceTokens } from '../config/device-tokens';
import { type RawContentFormat, decoderFor } from './content-format';
import { type CoapReply } from './response';

/** A request's options as node-coap parses them: an option it does not know is named by its number. */
export type RequestOptions = readonly { name: string | number; value: unknown }[];

/**
 * Device authentication by pre-shared token, carried in a CoAP option (coap.auth.tokenOption) or,
 * for older devices, in a URI query parameter (coap.auth.queryParameter). Either way it travels in
 * clear unless DTLS, or a network the operator trusts, is in front of the gateway.
 */
export class DeviceAuth {
  constructor(
    private readonly tokens: DeviceTokens | undefined,
    private readonly parameter: string,
    private readonly failures: Counter<'reason'>,
    private readonly logger: Logger,
    private readonly option: number,
  ) {}

  /**
   * 4.01 unless device authentication is off or the request carries the device's token: in the
   * token option (pass the request's options) or in the query. Nothing refused reaches Kafka.
   */
  check(deviceId: string | AnyDevice | undefined, query: URLSearchParams, options: RequestOptions = []): CoapReply | undefined {
    if (!this.tokens) return undefined;
    const result = this.tokens.check(deviceId, this.optionToken(options) ?? query.get(this.parameter) ?? undefined);
    if (result === 'ok') return undefined;
    this.failures.inc({ reason: result });
    this.logger.warn({ deviceId, reason: result }, 'CoAP request refused: 4.01');
    const missing = `add the device token as ?${this.parameter}=<token> or in CoAP option ${this.option}`;
    return { code: '4.01', diagnostic: result === 'missing_token' ? missing : 'unknown device or wrong token' };
  }

  private optionToken(options: RequestOptions): string | undefined {
    const value = options.find((o) => String(o.name) === String(this.option))?.value;
    return Buffer.isBuffer(value) && value.length > 0 ? value.toString('utf8') : undefined;
  }
}

/** The deviceId a JSON or CBOR body names in the route's deviceIdField, to authenticate it. */
export function bodyDeviceId(routed: RoutedMessage<CoapRoute>, payload: Buffer, format: RawContentFormat): string | undefined {
  const field = routed.route.decodeOptions?.deviceIdField;
  const decoder = decoderFor(format);
  if (!field || (decoder !== 'json' && decoder !== 'cbor')) return undefined;
  try {
    return deviceIdFromBody(decoder, payload, field);
  } catch {
    return undefined; // a body that does not parse names no device to authenticate
  }
}
