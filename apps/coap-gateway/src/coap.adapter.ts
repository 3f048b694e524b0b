import { join } from 'node:path';
import { type DeliveryOutcome, type DeviceRegistry, type IngestPipeline, type ProtocolAdapter, spoolDirectory } from '@fieldlink/gateway-core';
import { type Command } from '@fieldlink/schemas';
import { type Logger } from '@fieldlink/service';
import { type Registry } from 'prom-client';
import { CoapMetrics } from './coap.metrics';
import { type CoapRuntimeConfig } from './config/coap-gateway.config';
import { CoapDownlink } from './downlink/coap-downlink';
import { ObservationStore } from './downlink/observation-store';
import { CoapIngress } from './ingress/coap-ingress';
import { CoapEndpoint } from './session/coap-endpoint';

/** Beside the spool, on the gateway's volume. */
const OBSERVATIONS_FILE = 'coap-observations.json';

/**
 * A CoAP server (node-coap) for devices that POST readings and observe their command resource:
 * the endpoint (socket and server), ingress of requests, and commands sent as notifications.
 */
export class CoapAdapter implements ProtocolAdapter {
  readonly protocol = 'coap' as const;
  private readonly endpoint: CoapEndpoint;
  private readonly ingress: CoapIngress;
  private readonly downlink: CoapDownlink;

  constructor(
    private readonly config: CoapRuntimeConfig,
    pipeline: IngestPipeline,
    devices: DeviceRegistry,
    private readonly logger: Logger,
    registry: Registry,
  ) {
    const metrics = new CoapMetrics(registry, {
      observers: () => this.downlink.observers,
      blockTransfers: () => this.ingress.blockTransfers,
      blockTransferBytes: () => this.ingress.blockTransferBytes,
      lastReadings: () => this.ingress.lastReadingDevices,
      lastReadingsBytes: () => this.ingress.lastReadingBytes,
    });
    this.endpoint = new CoapEndpoint(config.coap, logger);
    const store = config.commands.persistObservations ? new ObservationStore(join(spoolDirectory(config, 'coap-gateway'), OBSERVATIONS_FILE), logger) : undefined;
    this.downlink = new CoapDownlink(config, metrics.observersEvicted, store, logger);
    this.ingress = new CoapIngress(config, pipeline, devices, this.endpoint, () => this.downlink.observations, metrics, logger);
  }

  async start(): Promise<void> {
    const socket = await this.endpoint.bind();
    this.downlink.attach(socket);
    this.endpoint.serve((req, res) => this.ingress.onRequest(req, res));
    this.logger.info({ port: socket.address().port, host: this.config.coap.host, tokens: this.config.runtime.tokens?.size ?? 'off' }, 'CoAP listening');
  }

  isUp(): boolean {
    return this.endpoint.isBound;
  }

  async stop(): Promise<void> {
    // Requests in flight are answered first: their records are already on their way to Kafka.
    await this.ingress.drain();
    this.downlink.close();
    await this.endpoint.close();
  }

  deliver(command: Command): Promise<DeliveryOutcome> {
    return this.downlink.deliver(command);
  }
}
