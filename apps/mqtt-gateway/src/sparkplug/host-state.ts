import { type DecodedReading, type DecodedValue } from '@fieldlink/gateway-core';
import { type SpbMetric, type SpbPayload } from './codec';
import { MetricValueError, metricUnit, metricValue } from './metric-values';
import { type SparkplugTopic } from './sparkplug-topic';

export interface MetricDef {
  name: string;
  datatype: number;
  unit?: string;
}

/** A node's or a device's metrics, as its birth certificate defined them. */
export class MetricTable {
  private readonly byAlias = new Map<string, MetricDef>();
  readonly byName = new Map<string, MetricDef>();

  constructor(birth: SpbMetric[]) {
    for (const m of birth) {
      if (m.name === undefined || m.datatype === undefined) continue;
      const def: MetricDef = { name: m.name, datatype: m.datatype, ...(metricUnit(m.properties) ? { unit: metricUnit(m.properties) } : {}) };
      this.byName.set(m.name, def);
      if (m.alias !== undefined) this.byAlias.set(m.alias, def);
    }
  }

  /** The definition a data metric refers to, by name or alias; undefined for one the birth did not define. */
  resolve(metric: SpbMetric): MetricDef | undefined {
    if (metric.name !== undefined) return this.byName.get(metric.name);
    return metric.alias !== undefined ? this.byAlias.get(metric.alias) : undefined;
  }
}

export interface EdgeNodeState {
  /** The bdSeq of the NBIRTH the state comes from: an NDEATH with another one is stale. */
  bdSeq?: string;
  /** The last seq seen; undefined while the node is not in sync (no birth since the gateway started, or a gap). */
  seq?: number;
  metrics?: MetricTable;
  devices: Map<string, MetricTable>;
  /** When a rebirth was last asked for (ms), to keep to rebirthIntervalMs. */
  rebirthAt: number;
}

export type Refusal = 'malformed' | 'no-birth' | 'seq-gap' | 'unknown-alias' | 'bad-value';

/** What to do with one message: the host carries it out. */
export interface Plan {
  readings: DecodedReading[];
  statuses: { device?: string; status: 'online' | 'offline'; detail: Record<string, unknown> }[];
  /** Dead-letter the message with this reason instead of forwarding it. */
  refused?: { reason: Refusal; message: string };
  /** Ask the edge node for a rebirth (Node Control/Rebirth). */
  rebirth?: boolean;
}

/**
 * The host application's view of every edge node (Sparkplug 3.0, 7): metric definitions from the
 * births, bdSeq and seq. Pure logic: the host turns each plan into records and commands.
 *
 * A node is in sync from its NBIRTH until a seq gap; while it is not, its data cannot be trusted
 * to use the aliases the gateway knows (a missed rebirth may have reassigned them), so it is
 * dead-lettered with the reason, never forwarded under a guessed name, and a rebirth is asked for.
 */
export class HostState {
  private readonly nodes = new Map<string, EdgeNodeState>();

  accept(topic: SparkplugTopic, payload: SpbPayload): Plan {
    const key = `${topic.group}/${topic.node}`;
    let node = this.nodes.get(key);
    if (!node) this.nodes.set(key, (node = { devices: new Map(), rebirthAt: -Infinity }));
    const missing = missingField(topic, payload);
    if (missing) return refuse('malformed', missing);
    if (topic.type === 'NBIRTH') return this.nodeBirth(node, payload);
    if (topic.type === 'NDEATH') return nodeDeath(node, payload);
    if (topic.type === 'NCMD' || topic.type === 'DCMD') return refuse('malformed', `a host application reads no ${topic.type}`);
    return this.sequenced(node, topic, payload);
  }

  node(group: string, name: string): EdgeNodeState | undefined {
    return this.nodes.get(`${group}/${name}`);
  }

  private nodeBirth(node: EdgeNodeState, payload: SpbPayload): Plan {
    const metrics = payload.metrics ?? [];
    node.metrics = new MetricTable(metrics);
    node.devices.clear();
    node.seq = Number(payload.seq);
    node.bdSeq = bdSeqOf(payload);
    return readingsOr(metrics, node.metrics, payload, { statuses: [{ status: 'online', detail: { bdSeq: node.bdSeq ?? null } }] });
  }

  private sequenced(node: EdgeNodeState, topic: SparkplugTopic, payload: SpbPayload): Plan {
    const seq = Number(payload.seq);
    if (node.seq === undefined || !node.metrics) return refuse('no-birth', `${topic.type} before the edge node's NBIRTH (since the gateway started or since a seq gap)`, true);
    const expected = (node.seq + 1) % 256;
    if (seq !== expected) {
      node.seq = undefined;
      return refuse('seq-gap', `${topic.type} has seq ${seq}, expected ${expected}: messages were lost between the edge node and the gateway`, true);
    }
    node.seq = seq;
    const device = topic.device as string;
    const metrics = payload.metrics ?? [];
    if (topic.type === 'NDATA') return readingsOr(metrics, node.metrics, payload, { statuses: [] });
    if (topic.type === 'DBIRTH') {
      const table = new MetricTable(metrics);
      node.devices.set(device, table);
      return readingsOr(metrics, table, payload, { statuses: [{ device, status: 'online', detail: { bdSeq: node.bdSeq ?? null } }] });
    }
    if (topic.type === 'DDEATH') {
      node.devices.delete(device);
      return { readings: [], statuses: [{ device, status: 'offline', detail: { reason: 'DDEATH' } }] };
    }
    const table = node.devices.get(device);
    if (!table) return refuse('no-birth', `DDATA from device "${device}" before its DBIRTH`, true);
    return readingsOr(metrics, table, payload, { statuses: [] });
  }
}

function nodeDeath(node: EdgeNodeState, payload: SpbPayload): Plan {
  const bdSeq = bdSeqOf(payload);
  // A will the broker sends late, after the node was born again with a new bdSeq, says nothing about the node now.
  if (node.bdSeq !== undefined && bdSeq !== undefined && bdSeq !== node.bdSeq) return { readings: [], statuses: [] };
  const devices = [...node.devices.keys()];
  node.devices.clear();
  node.seq = undefined;
  node.metrics = undefined;
  const detail = { reason: 'NDEATH', bdSeq: bdSeq ?? null };
  return { readings: [], statuses: [{ status: 'offline', detail }, ...devices.map((device) => ({ device, status: 'offline' as const, detail }))] };
}

function bdSeqOf(payload: SpbPayload): string | undefined {
  const metric = payload.metrics?.find((m) => m.name === 'bdSeq');
  const value = metric?.long_value ?? metric?.int_value;
  return value === undefined ? undefined : String(value);
}

function missingField(topic: SparkplugTopic, payload: SpbPayload): string | undefined {
  if (topic.type === 'NDEATH') return payload.metrics?.some((m) => m.name === 'bdSeq') ? undefined : 'an NDEATH without a bdSeq metric';
  if (payload.seq === undefined) return `a ${topic.type} without seq`;
  if (Number(payload.seq) > 255) return `a ${topic.type} with seq ${payload.seq} (0..255)`;
  if (payload.timestamp === undefined) return `a ${topic.type} without a timestamp`;
  return undefined;
}

function refuse(reason: Refusal, message: string, rebirth = false): Plan {
  return { readings: [], statuses: [], refused: { reason, message }, ...(rebirth ? { rebirth } : {}) };
}

/**
 * The message's metrics as readings, one per distinct timestamp (a metric's own, else the
 * payload's), each metric under the name its birth gave it; or the refusal of the whole message.
 */
function readingsOr(metrics: SpbMetric[], table: MetricTable, payload: SpbPayload, plan: Omit<Plan, 'readings'>): Plan {
  const byTime = new Map<string, Record<string, DecodedValue>>();
  for (const metric of metrics) {
    const def = table.resolve(metric);
    if (!def) return refuse('unknown-alias', `metric ${metric.name !== undefined ? `"${metric.name}"` : `alias ${metric.alias ?? '(none)'}`} is not in the birth certificate`, true);
    let value;
    try {
      value = metricValue(metric, metric.datatype ?? def.datatype);
    } catch (error) {
      if (error instanceof MetricValueError) return refuse('bad-value', `metric "${def.name}": ${error.message}`);
      throw error;
    }
    const time = metric.timestamp ?? payload.timestamp ?? '';
    let values = byTime.get(time);
    // No prototype: a metric may be called __proto__.
    if (!values) byTime.set(time, (values = Object.create(null) as Record<string, DecodedValue>));
    values[def.name] = { value, ...(def.unit ? { unit: def.unit } : {}) };
  }
  const readings = [...byTime].map(([time, values]) => ({ values, ...(time ? { sourceTime: new Date(Number(time)) } : {}) }));
  return { ...plan, readings };
}
