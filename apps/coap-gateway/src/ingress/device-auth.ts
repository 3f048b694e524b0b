import { type RoutedMessage } from '@fieldlink/gateway-core';
import { deviceIdFromBody } from '@fieldlink/schemas';
import { type Logger } from '@fieldlink/service';
import { type Counter } from 'prom-client';
import { type CoapRoute } from '../config/coap-gateway.config';
import { type AnyDevice, type DeviceTokens } from '../config/device-tokens';
import { type RawContentFormat, decoderFor } from './content-format';
import { type CoapReply } from './response';

/** Device authentication by pre-shared token in a URI query parameter. */
export class DeviceAuth {
  constructor(
    private readonly tokens: DeviceTokens | undefined,
    private readonly parameter: string,
    private readonly failures: Counter<'reason'>,
    private readonly logger: Logger,
  ) {}

  /** 4.01 unless device authentication is off or the request carries the device's token. Nothing refused reaches Kafka. */
  check(deviceId: string | AnyDevice | undefined, query: URLSearchParams): CoapReply | undefined {
    if (!this.tokens) return undefined;
    const parameter = this.parameter;
    const result = this.tokens.check(deviceId, query.get(parameter) ?? undefined);
    if (result === 'ok') return undefined;
    this.failures.inc({ reason: result });
    this.logger.warn({ deviceId, reason: result }, 'CoAP request refused: 4.01');
    return { code: '4.01', diagnostic: result === 'missing_token' ? `add the device token as ?${parameter}=<token>` : 'unknown device or wrong token' };
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
