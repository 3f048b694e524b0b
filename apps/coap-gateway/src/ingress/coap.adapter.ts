import { type Server, createServer, type IncomingMessage, type OutgoingMessage } from 'coap';
import { Counter, type Registry } from 'prom-client';
import {
  CoreError,
  CoreErrorCode,
  type DeliveryOutcome,
  type IngestOutcome,
  type IngestPipeline,
  type ProtocolAdapter,
  RouteTable,
  UriPathPattern,
} from '@fieldlink/gateway-core';
import { type Command, stableId } from '@fieldlink/schemas';
import { type Logger } from '@fieldlink/service';
import { type CoapGatewayConfig, type CoapRoute } from '../config/coap-gateway.config';
import { type RawContentFormat, SUPPORTED_FORMATS, contentFormatOf, decoderFor, describeFormat, formatNumber } from './content-format';
import { wellKnownCore } from './link-format';
import { type CoapReply, replyFor } from './response';

/**
 * A CoAP server (node-coap) for devices that POST readings. Each request is answered only
 * once the pipeline is done with it: 2.04 when Kafka or the spool holds the record, 4.xx with
 * a diagnostic payload when it was dead-lettered, 5.03 with Max-Age when the spool is full.
 */
export class CoapAdapter implements ProtocolAdapter {
  readonly protocol = 'coap' as const;
  private server: Server | undefined;
  private bound = false;
  private readonly routes: RouteTable<string, CoapRoute>;
  /** Requests still being ingested, by endpoint and message id, so a retransmitted CON joins the first. */
  private readonly pending = new Map<string, Promise<CoapReply>>();
  private readonly responses: Counter<'code'>;
  /** The last reading accepted from each device, for GET. */
  private readonly lastValues = new Map<string, { payload: Buffer; format: RawContentFormat }>();

  constructor(
    private readonly config: CoapGatewayConfig,
    private readonly pipeline: IngestPipeline,
    private readonly logger: Logger,
    registry: Registry,
  ) {
    this.routes = new RouteTable(config.routes, (r) => new UriPathPattern(r.path), 'routes', 'path');
    this.responses = new Counter({ name: 'fieldlink_coap_responses_total', help: 'CoAP responses sent, by response code', labelNames: ['code'], registers: [registry] });
  }

  async start(): Promise<void> {
    const server = createServer({ type: 'udp6' }, (req, res) => this.onRequest(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.coap.port, this.config.coap.host, (err?: Error) => (err ? reject(err) : resolve()));
    });
    server.on('error', (err: Error) => this.logger.error({ err: err.message }, 'CoAP server error'));
    this.bound = true;
    this.logger.info({ port: this.config.coap.port, host: this.config.coap.host }, 'CoAP listening');
  }

  isUp(): boolean {
    return this.bound;
  }

  async stop(): Promise<void> {
    // Requests in flight are answered first: their records are already on their way to Kafka.
    await Promise.allSettled([...this.pending.values()]);
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.bound = false;
  }

  /** Commands over Observe (RFC 7641) are not implemented yet: say so in the result rather than dropping them. */
  deliver(_command: Command): Promise<DeliveryOutcome> {
    return Promise.resolve({ status: 'failed', code: 'FL_COAP_NO_COMMANDS', message: 'the CoAP gateway does not deliver commands yet' });
  }

  private onRequest(req: IncomingMessage, res: OutgoingMessage): void {
    const key = `${req.rsinfo.address}|${req.rsinfo.port}|${req._packet.messageId ?? ''}`;
    let reply = this.pending.get(key);
    if (!reply) {
      reply = this.handle(req).catch((err: unknown): CoapReply => {
        // Only a retryable Kafka failure at shutdown: the device should send again.
        this.logger.warn({ err, url: req.url }, 'CoAP request not forwarded');
        return { code: '5.03', diagnostic: 'not stored; retry', maxAgeSeconds: 1 };
      });
      this.pending.set(key, reply);
      void reply.finally(() => this.pending.delete(key));
    }
    void reply.then((r) => this.answer(res, r));
  }

  private async handle(req: IncomingMessage): Promise<CoapReply> {
    const path = req.url.split('?')[0] ?? '';
    if (req.method === 'GET') return this.get(path);
    const routed = this.routes.match(path);
    const format = contentFormatOf(req._packet.options ?? []);
    const receivedAt = new Date();
    const id = stableId('coap', req.rsinfo.address, req.rsinfo.port, req._packet.messageId ?? 0, path, req.payload);
    const base = { deviceId: routed?.deviceId, labels: routed?.labels ?? {}, payload: req.payload, ref: path, receivedAt, id };
    if (req.method !== 'POST') {
      // A PUT or DELETE may carry a reading sent the wrong way: kept, not dropped.
      const error = new CoreError(CoreErrorCode.MethodNotAllowed, `${req.method} ${path}: readings are POSTed`);
      const outcome = await this.pipeline.deadLetter({ ...base, route: routed?.route }, error);
      return { ...replyFor(outcome), code: '4.05' };
    }
    const decoder = decoderFor(format);
    let outcome: IngestOutcome;
    if (routed && !decoder) {
      const error = new CoreError(CoreErrorCode.UnsupportedFormat, `Content-Format ${describeFormat(format)} is not one of ${SUPPORTED_FORMATS.join(', ')}`);
      outcome = await this.pipeline.deadLetter({ ...base, route: routed.route }, error);
    } else {
      const route = routed && decoder ? { ...routed.route, decoder } : undefined;
      outcome = await this.pipeline.ingest({ ...base, route });
    }
    if (outcome.status === 'forwarded') this.lastValues.set(outcome.deviceId, { payload: req.payload, format });
    return replyFor(outcome);
  }

  /** GET /.well-known/core (RFC 6690), or the last reading accepted from a route's device. */
  private get(path: string): CoapReply {
    if (path.replace(/^\//, '') === '.well-known/core') return { code: '2.05', payload: wellKnownCore(this.config.routes), contentFormat: 40 };
    const deviceId = this.routes.match(path)?.deviceId;
    const last = deviceId === undefined ? undefined : this.lastValues.get(deviceId);
    if (deviceId === undefined) return { code: '4.04', diagnostic: `${path} names no device; GET a device path such as /sensors/<deviceId>` };
    if (!last) return { code: '4.04', diagnostic: `no reading from ${deviceId} yet` };
    return { code: '2.05', payload: last.payload, contentFormat: formatNumber(last.format) };
  }

  private answer(res: OutgoingMessage, reply: CoapReply): void {
    res.code = reply.code;
    if (reply.contentFormat !== undefined) res.setOption('Content-Format', reply.contentFormat);
    if (reply.maxAgeSeconds !== undefined) res.setOption('Max-Age', reply.maxAgeSeconds);
    if (reply.code === '4.13') res.setOption('Size1', this.config.ingest.maxPayloadBytes);
    this.responses.inc({ code: reply.code });
    res.end(reply.payload ?? reply.diagnostic ?? '');
  }
}
