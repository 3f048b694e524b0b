import { Counter, Gauge, type Registry } from 'prom-client';
import { CoreErrorCode, type DeliveryOutcome, type IngestPipeline, type ProtocolAdapter } from '@fieldlink/gateway-core';
import { type Command, stableId } from '@fieldlink/schemas';
import { type Logger } from '@fieldlink/service';
import { type EndpointConfig, type OpcuaGatewayConfig } from '../config/opcua-gateway.config';
import { executeCommand } from '../downlink/command-executor';
import { OpcuaErrorCode } from '../errors';
import { NodeResolver } from '../mapping/node-resolver';
import { type EndpointOwnership } from '../sharding/endpoint-ownership';
import { type ClientFactory } from '../session/client-factory';
import { type ConnectFailure } from '../session/connect-failure';
import { EndpointSession } from '../session/endpoint-session';
import { EndpointMonitor } from './endpoint-monitor';

interface Served {
  session: EndpointSession;
  monitor: EndpointMonitor;
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
  private readonly connectFailures: Counter<'endpoint' | 'reason'>;
  private readonly gaps: Counter<'endpoint'>;
  private started = false;

  constructor(
    private readonly config: OpcuaGatewayConfig,
    endpoints: EndpointConfig[],
    private readonly clients: ClientFactory,
    private readonly ownership: EndpointOwnership,
    private readonly pipeline: IngestPipeline,
    private readonly logger: Logger,
    registry: Registry,
  ) {
    this.byName = new Map(endpoints.map((e) => [e.name, e]));
    this.connectFailures = new Counter({ name: 'fieldlink_opcua_connect_failures_total', help: 'Failed or lost OPC UA sessions, by endpoint and reason', labelNames: ['endpoint', 'reason'], registers: [registry] });
    this.gaps = new Counter({ name: 'fieldlink_opcua_gaps_total', help: 'Times an endpoint was lost after having been up', labelNames: ['endpoint'], registers: [registry] });
    const connected: Gauge<'endpoint'> = new Gauge({
      name: 'fieldlink_opcua_endpoint_connected',
      help: '1 while this replica holds a session to the endpoint and monitors its items, 0 while it tries to; endpoints other replicas own are absent',
      labelNames: ['endpoint'],
      registers: [registry],
      collect: () => {
        connected.reset();
        for (const [name, s] of this.served) connected.set({ endpoint: name }, s.session.state === 'connected' ? 1 : 0);
      },
    });
    const items: Gauge<'endpoint'> = new Gauge({
      name: 'fieldlink_opcua_monitored_items',
      help: 'Monitored items the server accepted, per endpoint this replica owns',
      labelNames: ['endpoint'],
      registers: [registry],
      collect: () => {
        items.reset();
        for (const [name, s] of this.served) items.set({ endpoint: name }, s.monitor.monitoredItems);
      },
    });
    const owned: Gauge = new Gauge({ name: 'fieldlink_opcua_endpoints_owned', help: 'Endpoints this replica owns', registers: [registry], collect: () => owned.set(this.served.size) });
  }

  async start(): Promise<void> {
    const certificate = await this.clients.ensureOwnCertificate();
    this.logger.info({ certificate, endpoints: this.byName.size }, 'OPC UA client certificate ready; trust it on servers that check clients');
    this.started = true;
    await this.ownership.start((names) => this.serve(names));
  }

  /**
   * Up when this replica can do its share: it owns no endpoint, or at least one of its endpoints
   * has a session. An endpoint that is down shows in fieldlink_opcua_endpoint_connected, not here,
   * so one switched-off PLC does not take the others' gateway out of service.
   */
  isUp(): boolean {
    if (!this.ownership.joined) return false;
    if (this.served.size === 0) return true;
    return [...this.served.values()].some((s) => s.session.state === 'connected');
  }

  async stop(): Promise<void> {
    this.started = false;
    await this.ownership.stop();
    await this.serve(new Set());
  }

  async deliver(command: Command): Promise<DeliveryOutcome> {
    const served = [...this.served.values()].find((s) => s.monitor.devices.has(command.deviceId));
    if (!served) return { status: 'failed', code: CoreErrorCode.CommandUnknownDevice, message: `no endpoint this gateway serves has device "${command.deviceId}"` };
    const session = served.monitor.session;
    if (!session) return { status: 'failed', code: OpcuaErrorCode.NotConnected, message: `endpoint ${served.session.endpoint.name} has no session now` };
    return executeCommand(session, command, served.monitor.devices.get(command.deviceId));
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
      const session = new EndpointSession(endpoint, this.clients, this.config.opcua.reconnect, monitor, this.gapReporter(endpoint, monitor), this.logger);
      this.served.set(name, { session, monitor });
      this.logger.info({ endpoint: name, url: endpoint.url }, 'serving OPC UA endpoint');
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

  /** device-status records for the endpoint itself and each device on it: offline on a gap, online when it ends. */
  private gapReporter(endpoint: EndpointConfig, monitor: EndpointMonitor) {
    let reportedDown: Date | undefined;
    const report = (status: 'offline' | 'online', detail: Record<string, unknown>, at: Date) => {
      const deviceIds = [endpoint.name, ...[...monitor.devices.keys()].filter((d) => d !== endpoint.name)];
      for (const deviceId of deviceIds) {
        const record = { deviceId, route: endpoint.name, ref: endpoint.url, status, detail: { endpoint: endpoint.name, ...detail }, at, id: stableId('opcua-status', endpoint.name, deviceId, status, at.getTime()) };
        this.pipeline.reportStatus(record).catch((err: unknown) => this.logger.warn({ err, deviceId }, 'device-status record not written'));
      }
    };
    return {
      onDown: (failure: ConnectFailure, since: Date) => {
        this.connectFailures.inc({ endpoint: endpoint.name, reason: failure.reason });
        this.logger.warn({ endpoint: endpoint.name, reason: failure.reason }, failure.message);
        if (reportedDown) return; // one offline record per gap, however many attempts fail in it
        reportedDown = since;
        if (failure.reason === 'session_lost') this.gaps.inc({ endpoint: endpoint.name });
        report('offline', { reason: failure.reason, message: failure.message, since: since.toISOString() }, new Date());
      },
      onUp: (downSince: Date | undefined) => {
        if (!reportedDown && !downSince) return;
        const since = reportedDown ?? downSince ?? new Date();
        reportedDown = undefined;
        report('online', { gapStartedAt: since.toISOString(), gapMs: Date.now() - since.getTime(), monitoredItems: monitor.monitoredItems }, new Date());
      },
    };
  }
}
