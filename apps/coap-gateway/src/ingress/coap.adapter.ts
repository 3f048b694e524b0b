import { type Socket, createSocket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import { type IncomingMessage, ObserveWriteStream, type OutgoingMessage } from 'coap';
import { Counter, Gauge, type Registry } from 'prom-client';
import {
  CoreError,
  CoreErrorCode,
  DEFAULT_COMMAND_TEMPLATE,
  type DeliveryOutcome,
  type DeviceRegistry,
  type IngestOutcome,
  type IngestPipeline,
  type ProtocolAdapter,
  RouteTable,
  type RoutedMessage,
  UriPathPattern,
} from '@fieldlink/gateway-core';
import { type Command, deviceIdFromBody, stableId } from '@fieldlink/schemas';
import { type Logger } from '@fieldlink/service';
import { encodeBlockOption } from '../blockwise/block-option';
import { Block1Assembler } from '../blockwise/block1-assembler';
import { CommandNotifier } from '../commands/command-notifier';
import { ConfirmableSender } from '../commands/confirmable-sender';
import { type CoapGatewayConfig, type CoapRoute, commandPath, deviceTokens } from '../config/coap-gateway.config';
import { CoapError, CoapErrorCode } from '../errors';
import { GatewayCoapServer, uintOption } from './coap-server';
import { type RawContentFormat, SUPPORTED_FORMATS, contentFormatOf, decoderFor, describeFormat, formatNumber } from './content-format';
import { type DeviceTokens } from './device-tokens';
import { wellKnownCore } from './link-format';
import { type CoapReply, replyFor } from './response';

/** RFC 7252 EXCHANGE_LIFETIME: how long a Block1 upload may pause between blocks. */
const EXCHANGE_LIFETIME_MS = 247_000;

interface Request {
  req: IncomingMessage;
  path: string;
  query: URLSearchParams;
}

/**
 * A CoAP server (node-coap) for devices that POST readings and observe their command resource.
 * Each request is answered only once the pipeline is done with it: 2.04 when Kafka or the spool
 * holds the record, 4.xx with a diagnostic payload when it was dead-lettered, 5.03 with Max-Age
 * when the spool is full.
 */
export class CoapAdapter implements ProtocolAdapter {
  readonly protocol = 'coap' as const;
  private socket: Socket | undefined;
  private server: GatewayCoapServer | undefined;
  private bound = false;
  private readonly routes: RouteTable<string, CoapRoute>;
  private readonly commandResource: UriPathPattern;
  private readonly blocks: Block1Assembler;
  private readonly tokens: DeviceTokens | undefined;
  private notifier: CommandNotifier | undefined;
  /** Requests still being ingested, by endpoint and message id, so a retransmitted CON joins the first. */
  private readonly pending = new Map<string, Promise<CoapReply>>();
  private readonly responses: Counter<'code'>;
  private readonly authFailures: Counter<'reason'>;
  /** The last reading accepted from each device, for GET. */
  private readonly lastValues = new Map<string, { payload: Buffer; format: RawContentFormat }>();

  constructor(
    private readonly config: CoapGatewayConfig,
    private readonly pipeline: IngestPipeline,
    private readonly devices: DeviceRegistry,
    private readonly logger: Logger,
    registry: Registry,
  ) {
    this.routes = new RouteTable(config.routes, (r) => new UriPathPattern(r.path), 'routes', 'path');
    this.commandResource = commandPath(config);
    this.blocks = new Block1Assembler({ maxBytes: config.ingest.maxPayloadBytes, lifetimeMs: EXCHANGE_LIFETIME_MS, maxTransfers: config.coap.maxBlockTransfers });
    this.tokens = config.coap.auth.tokenFile ? deviceTokens(config.coap.auth.tokenFile) : undefined;
    this.responses = new Counter({ name: 'fieldlink_coap_responses_total', help: 'CoAP responses sent, by response code', labelNames: ['code'], registers: [registry] });
    this.authFailures = new Counter({ name: 'fieldlink_coap_auth_failures_total', help: 'Requests refused with 4.01, by reason', labelNames: ['reason'], registers: [registry] });
    const observers: Gauge = new Gauge({ name: 'fieldlink_coap_observers', help: 'Devices observing their command resource', registers: [registry], collect: () => observers.set(this.notifier?.observers ?? 0) });
    const transfers: Gauge = new Gauge({ name: 'fieldlink_coap_block_transfers', help: 'Block1 uploads in progress', registers: [registry], collect: () => transfers.set(this.blocks.inProgress) });
  }

  async start(): Promise<void> {
    const { port, host } = this.config.coap;
    // The gateway owns the socket: command notifications go out on it and their ACKs come back to it.
    const socket = createSocket({ type: isIPv4(host) ? 'udp4' : 'udp6' });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    this.socket = socket;
    const sender = new ConfirmableSender(socket, this.config.coap);
    this.notifier = new CommandNotifier(sender, this.config.commands.payload ?? DEFAULT_COMMAND_TEMPLATE);
    const notifier = this.notifier;
    socket.on('message', (message, from) => notifier.onDatagram(message, from));
    const server = new GatewayCoapServer({}, (req, res) => this.onRequest(req, res));
    server.on('error', (err: Error) => this.logger.error({ err: err.message }, 'CoAP server error'));
    server.listen(socket);
    this.server = server;
    this.bound = true;
    this.logger.info({ port: socket.address().port, host, tokens: this.tokens?.size ?? 'off' }, 'CoAP listening');
  }

  isUp(): boolean {
    return this.bound;
  }

  async stop(): Promise<void> {
    // Requests in flight are answered first: their records are already on their way to Kafka.
    await Promise.allSettled([...this.pending.values()]);
    this.notifier?.close();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.socket ? this.socket.close(() => resolve()) : resolve()));
    this.bound = false;
  }

  deliver(command: Command): Promise<DeliveryOutcome> {
    if (!this.notifier) return Promise.resolve({ status: 'failed', code: CoreErrorCode.CommandNotDelivered, message: 'the CoAP server is not started' });
    return this.notifier.deliver(command);
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

  private handle(req: IncomingMessage): Promise<CoapReply> {
    const [path = '', query = ''] = req.url.split('?');
    const request: Request = { req, path, query: new URLSearchParams(query) };
    if (req.method === 'GET') {
      const command = this.commandResource.match(path);
      return Promise.resolve(command?.deviceId ? this.observe(request, command.deviceId) : this.get(request));
    }
    return this.post(request);
  }

  private async post({ req, path, query }: Request): Promise<CoapReply> {
    const routed = this.routes.match(path);
    const format = contentFormatOf(req._packet.options ?? []);
    const base = { deviceId: routed?.deviceId, labels: routed?.labels ?? {}, ref: path, receivedAt: new Date() };
    const idInBody = routed?.route.decodeOptions?.deviceIdField !== undefined;
    // A device named in the path is checked before its blocks are buffered; one named in the body once the body is whole.
    const refused = idInBody ? undefined : this.authenticate(routed?.deviceId, query);
    if (refused) return refused;
    const body = this.assemble(req, path);
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
      const refusedByBody = this.authenticate(this.bodyDeviceId(routed, payload, format), query);
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
    if (outcome.status === 'forwarded') this.lastValues.set(outcome.deviceId, { payload, format });
    return { ...replyFor(outcome), ...last };
  }

  /**
   * The request body, reassembled when it comes in Block1 blocks: a 2.31 reply while more are
   * due; otherwise the payload, with an error to dead-letter it with if the upload went wrong.
   */
  private assemble(req: IncomingMessage, path: string): { reply: CoapReply } | { payload: Buffer; block1?: Buffer; error?: CoreError | CoapError } {
    const block = this.server?.block1Of(req);
    if (block === undefined) return { payload: req.payload };
    if (block === 'invalid') return { payload: req.payload, error: new CoapError(CoapErrorCode.PayloadIncomplete, 'the Block1 option is malformed or uses the reserved size exponent 7 (RFC 7959 §2.2)') };
    const step = this.blocks.accept(`${req.rsinfo.address}|${req.rsinfo.port}|${path}`, block, req.payload, uintOption(req, 'Size1'));
    const block1 = encodeBlockOption(block);
    switch (step.kind) {
      case 'continue':
        return { reply: { code: '2.31', block1 } };
      case 'complete':
        return { payload: step.body, block1 };
      case 'too-large':
        return { payload: step.body, block1, error: new CoreError(CoreErrorCode.PayloadTooLarge, step.reason) };
      case 'incomplete':
        return { payload: step.body, block1, error: new CoapError(CoapErrorCode.PayloadIncomplete, step.reason) };
    }
  }

  /** GET with Observe 0 registers the device for commands (RFC 7641); Observe 1 ends that. */
  private observe({ req, path, query }: Request, deviceId: string): CoapReply {
    const refused = this.authenticate(deviceId, query);
    if (refused) return refused;
    const observe = uintOption(req, 'Observe');
    const token = req._packet.token ?? Buffer.alloc(0);
    if (observe === 0 && this.notifier) {
      this.notifier.observe(deviceId, req.rsinfo, token);
      // Commands are routed to the instance the registry names, so observing makes this one the device's gateway.
      void this.devices.seen(deviceId, 'commands', path, new Date());
      this.logger.info({ deviceId, from: `${req.rsinfo.address}:${req.rsinfo.port}` }, 'device observes its commands');
      return { code: '2.05', observe: true, contentFormat: 50 };
    }
    if (observe === 1) {
      this.notifier?.cancel(deviceId, req.rsinfo, token);
      return { code: '2.05' };
    }
    return { code: '4.00', diagnostic: `observe ${path} (Observe: 0) to receive commands` };
  }

  /** GET /.well-known/core (RFC 6690), or the last reading accepted from a route's device. */
  private get({ path, query }: Request): CoapReply {
    if (path.replace(/^\//, '') === '.well-known/core') return { code: '2.05', payload: wellKnownCore(this.config.routes, this.config.commands.path), contentFormat: 40 };
    const deviceId = this.routes.match(path)?.deviceId;
    if (deviceId === undefined) return { code: '4.04', diagnostic: `${path} names no device; GET a device path such as /sensors/<deviceId>` };
    const refused = this.authenticate(deviceId, query);
    if (refused) return refused;
    const last = this.lastValues.get(deviceId);
    if (!last) return { code: '4.04', diagnostic: `no reading from ${deviceId} yet` };
    return { code: '2.05', payload: last.payload, contentFormat: formatNumber(last.format) };
  }

  /** 4.01 unless device authentication is off or the request carries the device's token. Nothing refused reaches Kafka. */
  private authenticate(deviceId: string | undefined, query: URLSearchParams): CoapReply | undefined {
    if (!this.tokens) return undefined;
    const parameter = this.config.coap.auth.queryParameter;
    const result = this.tokens.check(deviceId, query.get(parameter) ?? undefined);
    if (result === 'ok') return undefined;
    this.authFailures.inc({ reason: result });
    this.logger.warn({ deviceId, reason: result }, 'CoAP request refused: 4.01');
    return { code: '4.01', diagnostic: result === 'missing_token' ? `add the device token as ?${parameter}=<token>` : 'unknown device or wrong token' };
  }

  private bodyDeviceId(routed: RoutedMessage<CoapRoute>, payload: Buffer, format: RawContentFormat): string | undefined {
    const field = routed.route.decodeOptions?.deviceIdField;
    const decoder = decoderFor(format);
    if (!field || (decoder !== 'json' && decoder !== 'cbor')) return undefined;
    try {
      return deviceIdFromBody(decoder, payload, field);
    } catch {
      return undefined; // a body that does not parse names no device to authenticate
    }
  }

  private answer(res: OutgoingMessage, reply: CoapReply): void {
    if (reply.contentFormat !== undefined) res.setOption('Content-Format', reply.contentFormat);
    if (reply.maxAgeSeconds !== undefined) res.setOption('Max-Age', reply.maxAgeSeconds);
    if (reply.block1 !== undefined) res.setOption('Block1', reply.block1);
    if (reply.code === '4.13') res.setOption('Size1', this.config.ingest.maxPayloadBytes);
    this.responses.inc({ code: reply.code });
    if (res instanceof ObserveWriteStream) {
      // The registration's answer is the first notification (Observe 1). Any other answer to an
      // Observe request must carry no Observe option, so it ends the stream without a payload.
      res.statusCode = reply.code;
      if (reply.observe) res.write(Buffer.alloc(0));
      else res.end();
      return;
    }
    res.code = reply.code;
    res.end(reply.payload ?? reply.diagnostic ?? '');
  }
}
