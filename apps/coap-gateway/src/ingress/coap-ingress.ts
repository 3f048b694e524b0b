import { type IncomingMessage, type OutgoingMessage } from 'coap';
import { type DeviceRegistry, type IngestPipeline } from '@fieldlink/gateway-core';
import { type Logger } from '@fieldlink/service';
import { type CoapMetrics } from '../coap.metrics';
import { type CoapRuntimeConfig } from '../config/coap-gateway.config';
import { type CoapEndpoint } from '../session/coap-endpoint';
import { Block1Upload } from './block1-upload';
import { CommandObserve, type CommandObservers } from './command-observe';
import { DeviceAuth } from './device-auth';
import { Exchanges } from './exchanges';
import { LastReadings } from './last-readings';
import { ReadingCache } from './reading-cache';
import { ReadingsPost } from './readings-post';
import { ReplyWriter } from './reply-writer';
import { requestOf } from './request';
import { type CoapReply } from './response';

/**
 * Requests from devices: readings POSTed (in Block1 blocks or whole), GETs of the last reading
 * and of /.well-known/core, and observations of the command resource. Each request is answered
 * only once the pipeline is done with it: 2.04 when Kafka or the spool holds the record, 4.xx
 * with a diagnostic payload when it was dead-lettered, 5.03 with Max-Age when the spool is full.
 */
export class CoapIngress {
  private readonly exchanges: Exchanges;
  private readonly upload: Block1Upload;
  private readonly post: ReadingsPost;
  private readonly lastReadings: LastReadings;
  private readonly observe: CommandObserve;

  constructor(
    private readonly config: CoapRuntimeConfig,
    pipeline: IngestPipeline,
    devices: DeviceRegistry,
    endpoint: CoapEndpoint,
    observers: () => CommandObservers | undefined,
    metrics: CoapMetrics,
    logger: Logger,
  ) {
    const { routes, tokens } = config.runtime;
    const auth = new DeviceAuth(tokens, config.coap.auth.queryParameter, metrics.authFailures, logger, config.coap.auth.tokenOption);
    const { maxBlockTransfers, maxBlockTransferBytes, maxLastReadings, maxLastReadingsBytes } = config.coap;
    const uploadLimits = { maxBytes: config.ingest.maxPayloadBytes, maxTransfers: maxBlockTransfers, maxTotalBytes: maxBlockTransferBytes };
    this.upload = new Block1Upload((req) => endpoint.block1Of(req), uploadLimits, metrics.blockTransfersRefused);
    const cache = new ReadingCache({ maxDevices: maxLastReadings, maxBytes: maxLastReadingsBytes }, () => metrics.lastReadingsEvicted.inc());
    this.lastReadings = new LastReadings(routes, config.commands.path, auth, cache);
    this.post = new ReadingsPost(routes, pipeline, auth, this.upload, this.lastReadings);
    this.observe = new CommandObserve(observers, devices, auth, logger);
    const replies = new ReplyWriter(config.ingest.maxPayloadBytes, metrics.responses, metrics.replyFailures, logger);
    const answer = (req: IncomingMessage, res: OutgoingMessage, reply: CoapReply) => replies.write(res, reply, `${req.rsinfo.address}:${req.rsinfo.port}`);
    this.exchanges = new Exchanges((req) => this.handle(req), answer, logger);
  }

  get blockTransfers(): number {
    return this.upload.inProgress;
  }

  get blockTransferBytes(): number {
    return this.upload.bytes;
  }

  get lastReadingDevices(): number {
    return this.lastReadings.devices;
  }

  get lastReadingBytes(): number {
    return this.lastReadings.bytes;
  }

  onRequest(req: IncomingMessage, res: OutgoingMessage): void {
    this.exchanges.onRequest(req, res);
  }

  /** Waits until every request in flight is answered: their records are already on their way to Kafka. */
  drain(): Promise<void> {
    return this.exchanges.drain();
  }

  private handle(req: IncomingMessage): Promise<CoapReply> {
    const request = requestOf(req);
    if (req.method === 'GET') {
      const command = this.config.runtime.commandResource.match(request.path);
      return Promise.resolve(command?.deviceId ? this.observe.handle(request, command.deviceId) : this.lastReadings.get(request));
    }
    return this.post.handle(request);
  }
}
