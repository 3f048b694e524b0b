import { type IngestOutcome, type IngestPipeline, type RouteTable } from '@fieldlink/gateway-core';
import { stableId } from '@fieldlink/schemas';
import { type CoapRoute } from '../config/coap-gateway.config';
import { ANY_DEVICE } from '../config/device-tokens';
import { CoapError, CoapErrorCode } from '../errors';
import { type Block1Upload } from './block1-upload';
import { SUPPORTED_FORMATS, contentFormatOf, decoderFor, describeFormat } from './content-format';
import { type DeviceAuth, bodyDeviceId } from './device-auth';
import { type LastReadings } from './last-readings';
import { type CoapRequest } from './request';
import { type CoapReply, replyFor } from './response';

/** A POSTed reading (or a PUT or DELETE sent by mistake), into the pipeline; answered with what became of it. */
export class ReadingsPost {
  constructor(
    private readonly routes: RouteTable<string, CoapRoute>,
    private readonly pipeline: IngestPipeline,
    private readonly auth: DeviceAuth,
    private readonly upload: Block1Upload,
    private readonly lastReadings: LastReadings,
  ) {}

  async handle({ req, path, query }: CoapRequest): Promise<CoapReply> {
    const routed = this.routes.match(path);
    const format = contentFormatOf(req._packet.options ?? []);
    const base = { deviceId: routed?.deviceId, labels: routed?.labels ?? {}, ref: path, receivedAt: new Date() };
    const idInBody = routed?.route.decodeOptions?.deviceIdField !== undefined;
    // Checked on every block, before anything is buffered: a device named in the path against its
    // own token; for one named in the body, the token must be some device's now, and that device's once the body is whole.
    const refused = this.auth.check(idInBody ? ANY_DEVICE : routed?.deviceId, query, req._packet.options);
    if (refused) return refused;
    const body = this.upload.body(req, path);
    if ('reply' in body) return body.reply;
    const payload = body.payload;
    const message = {
      ...base,
      payload,
      // A retransmitted CON repeats the first id; a reading with its own time sent again as a new message repeats the second.
      id: stableId('coap', req.rsinfo.address, req.rsinfo.port, req._packet.messageId ?? 0, path, payload),
      contentId: stableId('coap-content', path, describeFormat(format), payload),
    };
    const last = body.block1 ? { block1: body.block1 } : {};
    if (routed && idInBody) {
      const refusedByBody = this.auth.check(bodyDeviceId(routed, payload, format), query, req._packet.options);
      if (refusedByBody) return refusedByBody;
    }
    if (req.method !== 'POST') {
      // A PUT or DELETE may carry a reading sent the wrong way: kept, not dropped.
      const error = new CoapError(CoapErrorCode.MethodNotAllowed, `${req.method} ${path}: readings are POSTed`);
      return replyFor(await this.pipeline.deadLetter({ ...message, route: routed?.route }, error));
    }
    if (body.error) return { ...replyFor(await this.pipeline.deadLetter({ ...message, route: routed?.route }, body.error)), ...last };
    const decoder = decoderFor(format);
    let outcome: IngestOutcome;
    if (routed && !decoder) {
      const error = new CoapError(CoapErrorCode.UnsupportedFormat, `Content-Format ${describeFormat(format)} is not one of ${SUPPORTED_FORMATS.join(', ')}`);
      outcome = await this.pipeline.deadLetter({ ...message, route: routed.route }, error);
    } else {
      outcome = await this.pipeline.ingest({ ...message, route: routed && decoder ? { ...routed.route, decoder } : undefined });
    }
    if (outcome.status === 'forwarded') this.lastReadings.accepted(outcome.deviceId, payload, format);
    return { ...replyFor(outcome), ...last };
  }
}
