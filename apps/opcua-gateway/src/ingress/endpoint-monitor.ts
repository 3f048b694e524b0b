import {
  AttributeIds,
  type ClientMonitoredItemGroup,
  type ClientSession,
  DataChangeFilter,
  DataChangeTrigger,
  type DataValue,
  DeadbandType,
  type MonitoringParametersOptions,
  TimestampsToReturn,
  resolveNodeId,
} from 'node-opcua';
import { type DecodedReading, type DecodedRoute, type DecodedValue, type IngestPipeline } from '@fieldlink/gateway-core';
import { InFlight } from '@fieldlink/resilience';
import { stableId } from '@fieldlink/schemas';
import { type Logger } from '@fieldlink/service';
import { type EndpointConfig, type OpcuaGatewayConfig } from '../config/opcua-gateway.config';
import { type DeviceNodes } from '../mapping/device-nodes';
import { type MonitoredNode, type NodeResolver } from '../mapping/node-resolver';
import { variantValue } from '../mapping/variant-value';
import { type SessionUser } from '../session/endpoint-session';

const ITEMS_PER_REQUEST = 1000;

interface Change {
  node: MonitoredNode;
  value: DataValue;
}

/**
 * The monitoring on one endpoint's session: one subscription, one monitored item per variable,
 * and every data change into the pipeline. Changes of one device with the same source time
 * that arrive together become one reading with several metrics.
 */
export class EndpointMonitor implements SessionUser {
  session: ClientSession | undefined;
  monitoredItems = 0;
  readonly devices = new Map<string, DeviceNodes>();
  /** Whether `devices` has been filled once; until then no device of this endpoint is known. */
  browsed = false;
  private pending: Change[] = [];
  private flushScheduled = false;
  private readonly inFlight = new InFlight();
  private readonly route: DecodedRoute;

  constructor(
    private readonly endpoint: EndpointConfig,
    private readonly opcua: OpcuaGatewayConfig['opcua'],
    private readonly resolver: NodeResolver,
    private readonly pipeline: IngestPipeline,
    private readonly logger: Logger,
  ) {
    this.route = { name: endpoint.name };
  }

  async attach(session: ClientSession, lost: (reason: string) => void): Promise<void> {
    const nodes = await this.resolver.resolve(session);
    this.devices.clear();
    for (const node of nodes) {
      const device = this.devices.get(node.deviceId) ?? { variables: new Map<string, string>(), writable: new Set<string>() };
      if (device.objectId === undefined && node.objectId !== undefined) {
        device.objectId = node.objectId;
        device.objectPath = node.objectPath;
      }
      device.variables.set(node.metric, node.nodeId);
      if (node.writable) device.writable.add(node.nodeId);
      this.devices.set(node.deviceId, device);
    }
    this.browsed = true;
    const subscription = await session.createSubscription2({
      requestedPublishingInterval: this.opcua.sampling.publishingIntervalMs,
      requestedMaxKeepAliveCount: 10,
      requestedLifetimeCount: 60,
      maxNotificationsPerPublish: 0,
      publishingEnabled: true,
      priority: 10,
    });
    subscription.on('terminated', () => lost('the server ended the subscription'));
    this.session = session;
    let good = 0;
    for (const group of groupBySampling(nodes)) {
      const items = await subscription.monitorItems(
        group.nodes.map((n) => ({ nodeId: resolveNodeId(n.nodeId), attributeId: AttributeIds.Value })),
        parameters(group.nodes[0]?.sampling),
        TimestampsToReturn.Both,
      );
      good += this.watch(items, group.nodes);
    }
    this.monitoredItems = good;
    this.logger.info({ endpoint: this.endpoint.name, devices: this.devices.size, variables: nodes.length, monitored: good }, 'OPC UA monitored items created');
  }

  detach(): void {
    this.session = undefined;
    this.monitoredItems = 0;
  }

  /** Waits for the readings already handed to the pipeline. */
  async drain(): Promise<void> {
    this.flush();
    await this.inFlight.drain();
  }

  private watch(group: ClientMonitoredItemGroup, nodes: MonitoredNode[]): number {
    let good = 0;
    group.monitoredItems.forEach((item, i) => {
      if (item.statusCode.isGood()) good++;
      else this.logger.warn({ endpoint: this.endpoint.name, nodeId: nodes[i]?.nodeId, status: item.statusCode.name }, 'monitored item refused by the server');
    });
    group.on('changed', (_item, value, index) => {
      const node = nodes[index];
      if (node) this.onChange({ node, value });
    });
    return good;
  }

  private onChange(change: Change): void {
    this.pending.push(change);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const changes = this.pending;
    this.pending = [];
    const receivedAt = new Date();
    const byReading = new Map<string, Change[]>();
    for (const change of changes) {
      const key = `${change.node.deviceId}\u0000${change.value.sourceTimestamp?.getTime() ?? ''}`;
      const list = byReading.get(key);
      if (list) list.push(change);
      else byReading.set(key, [change]);
    }
    for (const group of byReading.values()) this.ingest(group, receivedAt);
  }

  private ingest(changes: Change[], receivedAt: Date): void {
    const first = changes[0];
    if (!first) return;
    const { deviceId } = first.node;
    const base = { route: this.route, deviceId, ref: first.node.nodeId, receivedAt };
    const values: Record<string, DecodedValue> = {};
    const ids: string[] = [];
    for (const { node, value } of changes) {
      let native;
      try {
        native = variantValue(value.value);
      } catch (error) {
        // One value the envelope cannot carry does not hold back the device's others.
        this.track(this.pipeline.deadLetter({ ...base, ref: node.nodeId, readings: [], raw: Buffer.from(`${node.nodeId} ${node.metric}: ${value.toString()}`) }, error, { last: true }));
        continue;
      }
      values[node.metric] = { value: native, quality: value.statusCode.value };
      ids.push(node.nodeId, String(value.sourceTimestamp?.getTime() ?? ''), describe(native));
    }
    if (Object.keys(values).length === 0) return;
    const reading: DecodedReading = {
      values,
      ...(first.value.sourceTimestamp ? { sourceTime: first.value.sourceTimestamp } : {}),
      ...(first.value.serverTimestamp ? { serverTime: first.value.serverTimestamp } : {}),
    };
    // A value the server sends again (the first notification of a new subscription) repeats its id.
    const id = first.value.sourceTimestamp ? { id: stableId('opcua', this.endpoint.name, deviceId, ...ids) } : {};
    // The server will not send this change again: what cannot be forwarded is dead-lettered.
    this.track(this.pipeline.ingestOnce({ ...base, ...id, readings: [reading] }));
  }

  private track(work: Promise<unknown>): void {
    this.inFlight.track(work.catch((err: unknown) => this.logger.warn({ err, endpoint: this.endpoint.name }, 'OPC UA reading not forwarded')));
  }
}

function describe(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'null';
}

function groupBySampling(nodes: MonitoredNode[]): { nodes: MonitoredNode[] }[] {
  const groups = new Map<string, MonitoredNode[]>();
  for (const node of nodes) {
    const key = JSON.stringify(node.sampling);
    const group = groups.get(key);
    if (group) group.push(node);
    else groups.set(key, [node]);
  }
  // Servers cap the items one CreateMonitoredItems request may hold (Part 4 §5.12.2); stay well below common limits.
  const chunks: { nodes: MonitoredNode[] }[] = [];
  for (const group of groups.values()) for (let i = 0; i < group.length; i += ITEMS_PER_REQUEST) chunks.push({ nodes: group.slice(i, i + ITEMS_PER_REQUEST) });
  return chunks;
}

function parameters(sampling: MonitoredNode['sampling'] | undefined): MonitoringParametersOptions {
  const deadband = sampling?.deadband;
  return {
    samplingInterval: sampling?.samplingIntervalMs ?? 1000,
    queueSize: sampling?.queueSize ?? 10,
    discardOldest: true,
    ...(deadband
      ? {
          filter: new DataChangeFilter({
            trigger: DataChangeTrigger.StatusValue,
            deadbandType: deadband.type === 'absolute' ? DeadbandType.Absolute : DeadbandType.Percent,
            deadbandValue: deadband.value,
          }),
        }
      : {}),
  };
}
