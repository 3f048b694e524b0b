import { setTimeout as sleep } from 'node:timers/promises';
import { type Registry } from 'prom-client';
import { CoreErrorCode, type DeliveryOutcome, type IngestPipeline, type ProtocolAdapter } from '@fieldlink/gateway-core';
import { type Command } from '@fieldlink/schemas';
import { type Logger, redactUrl } from '@fieldlink/service';
import { type EndpointConfig, type OpcuaRuntimeConfig } from './config/opcua-gateway.config';
import { type CommandPolicy, executeCommand } from './downlink/command-executor';
import { OpcuaErrorCode } from './errors';
import { EndpointMonitor } from './ingress/endpoint-monitor';
import { gapReporter } from './ingress/gap-reporter';
import { BrowsePattern } from './mapping/browse-pattern';
import { NodeResolver } from './mapping/node-resolver';
import { OpcuaMetrics } from './opcua.metrics';
import { type EndpointOwnership } from './sharding/endpoint-ownership';
import { type ClientFactory } from './session/client-factory';
import { EndpointSession } from './session/endpoint-session';

/**
 * How long a command for a device no served endpoint is known to have waits for it to appear.
 * The device registry names this gateway for the device, so its endpoint is most likely coming:
 * in its handover delay, connecting, on a first browse, or still with a replica that died before
 * it claimed the device (the group gives the endpoint back after sharding.sessionTimeoutMs plus
 * the handover delay: 13 s by default). Within the OPC UA delivery timeout (30 s, app.module.ts).
 */
const FIND_WAIT_MS = 20_000;
const FIND_POLL_MS = 100;

interface Served {
  session: EndpointSession;
  monitor: EndpointMonitor;
  policy: CommandPolicy;
}

/**
 * An OPC UA client for the endpoints this replica owns: one EndpointSession each, monitoring
 * their variables into the pipeline, reporting every gap as device-status, and carrying out
 * commands as writes and method calls.
 */
export class OpcuaAdapter implements ProtocolAdapter {
  readonly protocol = 'opcua' as const;
  private readonly served = new Map<string, Served>();
  private readonly byName: Map<string, EndpointConfig>;
  private readonly metrics: OpcuaMetrics;
  private started = false;

  constructor(
    private readonly config: OpcuaRuntimeConfig,
    private readonly clients: ClientFactory,
    private readonly ownership: EndpointOwnership,
    private readonly pipeline: IngestPipeline,
    private readonly logger: Logger,
    registry: Registry,
  ) {
    this.byName = new Map(config.runtime.endpoints.map((e) => [e.name, e]));
    this.metrics = new OpcuaMetrics(registry, () => [...this.served].map(([name, s]) => ({ name, connected: s.session.state === 'connected', monitoredItems: s.monitor.monitoredItems })));
  }

  async start(): Promise<void> {
    const certificate = await this.clients.ensureOwnCertificate();
    this.logger.info({ certificate, endpoints: this.byName.size }, 'OPC UA client certificate ready; trust it on servers that check clients');
    this.started = true;
    await this.ownership.start((names) => this.serve(names));
  }

  /**
   * Up when this replica can do its share: it was given no endpoint, or at least one of its
   * endpoints has a session. An endpoint that is down shows in fieldlink_opcua_endpoint_connected,
   * not here, so one switched-off PLC does not take the others' gateway out of service.
   */
  isUp(): boolean {
    if (!this.ownership.joined) return false;
    if (this.ownership.assigned.size === 0) return true;
    return [...this.served.values()].some((s) => s.session.state === 'connected');
  }

  async stop(): Promise<void> {
    this.started = false;
    await this.ownership.stop();
    await this.serve(new Set());
  }

  async deliver(command: Command): Promise<DeliveryOutcome> {
    let holders = this.holdersOf(command.deviceId);
    const deadline = Date.now() + FIND_WAIT_MS;
    while (holders.length === 0 && this.started && Date.now() < deadline) {
      await sleep(FIND_POLL_MS);
      holders = this.holdersOf(command.deviceId);
    }
    if (holders.length > 1) {
      const names = holders.map((s) => s.session.endpoint.name).join(', ');
      return { status: 'failed', code: OpcuaErrorCode.AmbiguousDevice, message: `device "${command.deviceId}" is on more than one endpoint (${names}); give their deviceId templates {endpoint}. Nothing was sent` };
    }
    const served = holders[0];
    if (!served) {
      const settling = this.settling();
      if (settling.length > 0) return { status: 'failed', code: OpcuaErrorCode.NotConnected, message: `device "${command.deviceId}" is on no endpoint browsed so far, and ${settling.join(', ')} had not connected and browsed within ${FIND_WAIT_MS} ms. Nothing was sent` };
      return { status: 'failed', code: CoreErrorCode.CommandUnknownDevice, message: `no endpoint this gateway serves had device "${command.deviceId}" within ${FIND_WAIT_MS} ms. Nothing was sent` };
    }
    const session = served.monitor.session;
    if (!session) return { status: 'failed', code: OpcuaErrorCode.NotConnected, message: `endpoint ${served.session.endpoint.name} has no session now` };
    return executeCommand(session, command, served.monitor.devices.get(command.deviceId), served.policy);
  }

  private holdersOf(deviceId: string): Served[] {
    return [...this.served.values()].filter((s) => s.monitor.devices.has(deviceId));
  }

  /** Endpoints given to this replica whose devices are not known yet: in handover, connecting, or on a first browse. */
  private settling(): string[] {
    return [...this.ownership.assigned].filter((name) => this.served.get(name)?.monitor.browsed !== true);
  }

  /** Starts sessions for endpoints newly owned and ends those no longer owned, so each endpoint has one owner. */
  private async serve(names: ReadonlySet<string>): Promise<void> {
    const leaving = [...this.served.keys()].filter((n) => !names.has(n));
    await Promise.all(leaving.map((name) => this.release(name)));
    if (!this.started) return;
    for (const name of names) {
      const endpoint = this.byName.get(name);
      if (!endpoint || this.served.has(name)) continue;
      const resolver = new NodeResolver(endpoint, this.config.opcua, this.logger);
      const monitor = new EndpointMonitor(endpoint, this.config.opcua, resolver, this.pipeline, this.logger);
      const events = gapReporter(endpoint, monitor, this.pipeline, this.metrics, this.logger);
      const session = new EndpointSession(endpoint, this.clients, this.config.opcua.reconnect, monitor, events, this.logger);
      const policy = { callable: endpoint.callable.map((p) => new BrowsePattern(p)), nodeIds: new Set(endpoint.commandNodes) };
      this.served.set(name, { session, monitor, policy });
      this.logger.info({ endpoint: name, url: redactUrl(endpoint.url) }, 'serving OPC UA endpoint');
      session.start();
    }
  }

  private async release(name: string): Promise<void> {
    const served = this.served.get(name);
    if (!served) return;
    await served.session.stop();
    await served.monitor.drain();
    this.served.delete(name);
    this.logger.info({ endpoint: name }, 'released OPC UA endpoint');
  }
}
