import { type DecodedReading, type DecodedValue } from '@fieldlink/gateway-core';
import { BoundedMap } from './bounded-map';
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

  /** Throws a MetricValueError for a birth that cannot define its metrics unambiguously. */
  constructor(birth: SpbMetric[]) {
    for (const m of birth) {
      if (m.name === undefined || m.datatype === undefined) throw new MetricValueError(`a birth metric ${m.name === undefined ? 'without a name' : `"${m.name}" without a datatype`}`);
      const unit = metricUnit(m.properties);
      const def: MetricDef = { name: m.name, datatype: m.datatype, ...(unit ? { unit } : {}) };
      if (this.byName.has(m.name)) throw new MetricValueError(`the birth defines metric "${m.name}" twice`);
      this.byName.set(m.name, def);
      if (m.alias === undefined) continue;
      if (this.byAlias.has(m.alias)) throw new MetricValueError(`the birth gives alias ${m.alias} to "${this.byAlias.get(m.alias)?.name ?? ''}" and "${m.name}"`);
      this.byAlias.set(m.alias, def);
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
  /** The last seq seen; undefined while the node is not in sync (dead, or after a gap). */
  seq?: number;
  metrics?: MetricTable;
  devices: Map<string, MetricTable>;
}

export type Refusal = 'malformed' | 'no-birth' | 'seq-gap' | 'unknown-alias' | 'bad-value' | 'too-many-devices';

/** What to do with one message: the host carries it out. */
export interface Plan {
  readings: DecodedReading[];
  statuses: { device?: string; status: 'online' | 'offline'; detail: Record<string, unknown> }[];
  /** Dead-letter the message with this reason instead of forwarding it. */
  refused?: { reason: Refusal; message: string };
  /** Metrics left out of the readings because their values cannot be read: the message is dead-lettered too, with this. */
  unreadable?: string;
  /** Ask the edge node for a rebirth (Node Control/Rebirth). */
  rebirth?: boolean;
}

export interface HostStateLimits {
  /** Edge nodes held; beyond this the one heard from least recently is forgotten (and asked for a rebirth when it speaks). */
  maxNodes: number;
  /** Devices one edge node may have born at once. */
  maxDevicesPerNode: number;
}

/**
 * The host application's view of every edge node (Sparkplug 3.0, 7): metric definitions from the
 * births, bdSeq and seq. Pure logic: the host turns each plan into records and commands.
 *
 * A node is in sync from its NBIRTH until a seq gap or its death; while it is not, its data
 * cannot be trusted to use the aliases the gateway knows (a missed rebirth may have reassigned
 * them), so it is dead-lettered with the reason, never forwarded under a guessed name, and a
 * rebirth is asked for. A node is held only once it was born: a stray topic takes no memory.
 */
export class HostState {
  private readonly nodes: BoundedMap<string, EdgeNodeState>;

  constructor(private readonly limits: HostStateLimits) {
    this.nodes = new BoundedMap(limits.maxNodes);
  }

  accept(topic: SparkplugTopic, payload: SpbPayload): Plan {
    const missing = missingField(topic, payload);
    if (missing) return refuse('malformed', missing);
    const node = this.nodes.get(key(topic));
    if (topic.type === 'NBIRTH') return this.nodeBirth(topic, node, payload);
    if (topic.type === 'NDEATH') return nodeDeath(node, payload);
    if (topic.type === 'NCMD' || topic.type === 'DCMD') return refuse('malformed', `a host application reads no ${topic.type}`);
    if (!node) return refuse('no-birth', `${topic.type} from an edge node whose NBIRTH the gateway has not seen`, true);
    return this.sequenced(node, topic, payload);
  }

  node(group: string, name: string): EdgeNodeState | undefined {
    return this.nodes.get(`${group}/${name}`);
  }

  private nodeBirth(topic: SparkplugTopic, before: EdgeNodeState | undefined, payload: SpbPayload): Plan {
    const metrics = payload.metrics ?? [];
    let table: MetricTable;
    try {
      table = new MetricTable(metrics);
    } catch (error) {
      return refuse('malformed', (error as Error).message);
    }
    const node: EdgeNodeState = { devices: new Map(), metrics: table, seq: Number(payload.seq), ...optional('bdSeq', bdSeqOf(payload)) };
    this.nodes.set(key(topic), node);
    // A device whose DDEATH was lost is not left online: the new birth will name it again if it lives.
    const gone = [...(before?.devices.keys() ?? [])].map((device) => ({ device, status: 'offline' as const, detail: { reason: 'NBIRTH' } }));
    return readingsOf(metrics, table, payload, [...gone, { status: 'online', detail: { bdSeq: node.bdSeq ?? null } }]);
  }

  private sequenced(node: EdgeNodeState, topic: SparkplugTopic, payload: SpbPayload): Plan {
    const seq = Number(payload.seq);
    if (node.seq === undefined || !node.metrics) return refuse('no-birth', `${topic.type} before the edge node's NBIRTH (since its death or a seq gap)`, true);
    const expected = (node.seq + 1) % 256;
    if (seq !== expected) {
      node.seq = undefined;
      return refuse('seq-gap', `${topic.type} has seq ${seq}, expected ${expected}: messages were lost between the edge node and the gateway`, true);
    }
    node.seq = seq;
    const device = topic.device as string;
    const metrics = payload.metrics ?? [];
    if (topic.type === 'NDATA') return readingsOf(metrics, node.metrics, payload, []);
    if (topic.type === 'DBIRTH') {
      if (!node.devices.has(device) && node.devices.size >= this.limits.maxDevicesPerNode) return refuse('too-many-devices', `the edge node already has ${node.devices.size} devices born`);
      let table: MetricTable;
      try {
        table = new MetricTable(metrics);
      } catch (error) {
        return refuse('malformed', (error as Error).message);
      }
      node.devices.set(device, table);
      return readingsOf(metrics, table, payload, [{ device, status: 'online', detail: { bdSeq: node.bdSeq ?? null } }]);
    }
    if (topic.type === 'DDEATH') {
      node.devices.delete(device);
      return { readings: [], statuses: [{ device, status: 'offline', detail: { reason: 'DDEATH' } }] };
    }
    const table = node.devices.get(device);
    if (!table) return refuse('no-birth', `DDATA from device "${device}" before its DBIRTH`, true);
    return readingsOf(metrics, table, payload, []);
  }
}

function nodeDeath(node: EdgeNodeState | undefined, payload: SpbPayload): Plan {
  const bdSeq = bdSeqOf(payload);
  // A will the broker sends late, after the node was born again with a new bdSeq, says nothing about the node now.
  if (node?.bdSeq !== undefined && bdSeq !== undefined && bdSeq !== node.bdSeq) return { readings: [], statuses: [] };
  const devices = [...(node?.devices.keys() ?? [])];
  if (node) {
    node.devices.clear();
    node.seq = undefined;
    delete node.metrics;
  }
  const detail = { reason: 'NDEATH', bdSeq: bdSeq ?? null };
  return { readings: [], statuses: [{ status: 'offline', detail }, ...devices.map((device) => ({ device, status: 'offline' as const, detail }))] };
}

function key(topic: SparkplugTopic): string {
  return `${topic.group}/${topic.node}`;
}

function optional<K extends string, V>(name: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [name]: value } as Record<K, V>);
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
 * payload's), each under the name its birth gave it. A metric the birth did not define refuses
 * the whole message (its aliases may be stale); one whose value cannot be read is left out and
 * named in `unreadable`; null values (is_null, Template definitions) are no metric.
 */
function readingsOf(metrics: SpbMetric[], table: MetricTable, payload: SpbPayload, statuses: Plan['statuses']): Plan {
  const byTime = new Map<string, Record<string, DecodedValue>>();
  const unreadable: string[] = [];
  for (const metric of metrics) {
    const def = table.resolve(metric);
    if (!def) return refuse('unknown-alias', `metric ${metric.name !== undefined ? `"${metric.name}"` : `alias ${metric.alias ?? '(none)'}`} is not in the birth certificate`, true);
    let value;
    try {
      value = metricValue(metric, metric.datatype ?? def.datatype);
    } catch (error) {
      if (!(error instanceof MetricValueError)) throw error;
      unreadable.push(`metric "${def.name}": ${error.message}`);
      continue;
    }
    if (value === null || value === undefined) continue;
    const time = metric.timestamp ?? payload.timestamp ?? '';
    let values = byTime.get(time);
    // No prototype: a metric may be called __proto__.
    if (!values) byTime.set(time, (values = Object.create(null) as Record<string, DecodedValue>));
    values[def.name] = { value, ...(def.unit ? { unit: def.unit } : {}) };
  }
  const readings = [...byTime].map(([time, values]) => ({ values, ...(time ? { sourceTime: new Date(Number(time)) } : {}) }));
  return { readings, statuses, ...(unreadable.length > 0 ? { unreadable: unreadable.join('; ') } : {}) };
}
