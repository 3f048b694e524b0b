import { AttributeIds, BrowseDirection, type ClientSession, NodeClass, type ReferenceDescription, StatusCodes, resolveNodeId } from 'node-opcua';
import { type Logger } from '@fieldlink/service';
import { type BrowseSelectorConfig, type EndpointConfig, type OpcuaGatewayConfig, type SamplingConfig } from '../config/opcua-gateway.config';
import { BrowsePattern } from './browse-pattern';

/** One variable to monitor, and where its values go. */
export interface MonitoredNode {
  nodeId: string;
  deviceId: string;
  metric: string;
  /** The object the variable belongs to, where the device's methods are looked up, and its browse path. */
  objectId?: string;
  objectPath?: string[];
  /** A command may write it (the endpoint's `writable`, or the node selector's). */
  writable: boolean;
  sampling: Pick<SamplingConfig, 'samplingIntervalMs' | 'queueSize' | 'deadband'>;
}

const OBJECTS_FOLDER = 'ns=0;i=85';
/** With the endpoint in it, two PLCs that each have a Pump1 are two devices, and a command reaches only the one it names. */
const DEFAULT_DEVICE_ID = '{endpoint}/{object}';
/** With no selectors: every Variable below Objects, outside namespace 0 (the server's own Server object and types). */
const EVERYTHING: BrowseSelectorConfig = { path: '**' };

interface Found {
  nodeId: string;
  path: string[];
  objectId: string | undefined;
  objectName: string | undefined;
}

/**
 * Turns an endpoint's selectors into monitored nodes on a live session: explicit NodeIds are
 * read for their BrowseName, browse patterns walk the hierarchy below Objects. Run on every
 * new session, since a restarted server may have changed its address space.
 */
export class NodeResolver {
  constructor(
    private readonly endpoint: EndpointConfig,
    private readonly opcua: OpcuaGatewayConfig['opcua'],
    private readonly logger: Logger,
  ) {}

  async resolve(session: ClientSession): Promise<MonitoredNode[]> {
    const nodes: MonitoredNode[] = [];
    const selectors = this.endpoint.nodes.length === 0 && this.endpoint.browse.length === 0 ? [EVERYTHING] : this.endpoint.browse;
    for (const selector of this.endpoint.nodes) {
      const metric = selector.metric ?? (await this.browseName(session, selector.nodeId));
      if (metric === undefined) continue;
      nodes.push({ nodeId: selector.nodeId, deviceId: selector.deviceId, metric, writable: selector.writable, sampling: this.sampling(selector) });
    }
    if (selectors.length > 0) {
      const writable = this.endpoint.writable.map((path) => new BrowsePattern(path));
      const patterns = selectors.map((s) => ({ selector: s, pattern: new BrowsePattern(s.path) }));
      for (const found of await this.browse(session, patterns.map((p) => p.pattern))) {
        const match = patterns.find((p) => p.pattern.matches(found.path));
        if (!match) continue;
        const variable = found.path[found.path.length - 1] ?? found.nodeId;
        const vars = { object: found.objectName ?? this.endpoint.name, variable, endpoint: this.endpoint.name };
        nodes.push({
          nodeId: found.nodeId,
          // A variable right below Objects has no object: its device is the endpoint.
          deviceId: render(match.selector.deviceId ?? (found.objectName === undefined ? '{endpoint}' : DEFAULT_DEVICE_ID), vars),
          metric: render(match.selector.metric ?? '{variable}', vars),
          objectId: found.objectId,
          ...(found.objectId ? { objectPath: found.path.slice(0, -1) } : {}),
          writable: writable.some((w) => w.matches(found.path)),
          sampling: this.sampling(match.selector),
        });
      }
    }
    return dedupe(nodes);
  }

  private sampling(selector: { samplingIntervalMs?: number; queueSize?: number; deadband?: SamplingConfig['deadband'] }): MonitoredNode['sampling'] {
    const defaults = this.opcua.sampling;
    const deadband = selector.deadband ?? defaults.deadband;
    return {
      samplingIntervalMs: selector.samplingIntervalMs ?? defaults.samplingIntervalMs,
      queueSize: selector.queueSize ?? defaults.queueSize,
      ...(deadband ? { deadband } : {}),
    };
  }

  private async browseName(session: ClientSession, nodeId: string): Promise<string | undefined> {
    const value = await session.read({ nodeId: resolveNodeId(nodeId), attributeId: AttributeIds.BrowseName });
    if (value.statusCode.isNotGood()) {
      this.logger.warn({ endpoint: this.endpoint.name, nodeId, status: value.statusCode.name }, 'configured node not found on the server; not monitored');
      return undefined;
    }
    return (value.value.value as { name?: string } | null)?.name ?? nodeId;
  }

  /** Breadth-first below Objects, one browse request per level, skipping branches no pattern can match. */
  private async browse(session: ClientSession, patterns: BrowsePattern[]): Promise<Found[]> {
    const { maxVariables, maxDepth } = this.opcua.discovery;
    const found: Found[] = [];
    let level: { nodeId: string; path: string[]; name: string | undefined }[] = [{ nodeId: OBJECTS_FOLDER, path: [], name: undefined }];
    const visited = new Set<string>([OBJECTS_FOLDER]);
    for (let depth = 0; depth < maxDepth && level.length > 0; depth++) {
      const next: typeof level = [];
      const children = await this.children(session, level.map((l) => l.nodeId));
      level.forEach((parent, i) => {
        for (const ref of children[i] ?? []) {
          const nodeId = ref.nodeId.toString();
          if (ref.nodeId.namespace === 0 || visited.has(nodeId)) continue;
          visited.add(nodeId);
          const path = [...parent.path, ref.browseName.name ?? nodeId];
          if (Number(ref.nodeClass) === Number(NodeClass.Variable)) {
            if (found.length < maxVariables) found.push({ nodeId, path, objectId: parent.path.length > 0 ? parent.nodeId : undefined, objectName: parent.name });
          } else if (Number(ref.nodeClass) === Number(NodeClass.Object) && patterns.some((p) => p.mayContain(path))) {
            next.push({ nodeId, path, name: ref.browseName.name ?? undefined });
          }
        }
      });
      if (found.length >= maxVariables) {
        this.logger.warn({ endpoint: this.endpoint.name, maxVariables }, 'discovery stopped at opcua.discovery.maxVariables');
        break;
      }
      level = next;
    }
    return found;
  }

  /** The Object and Variable children of each node, following continuation points. */
  private async children(session: ClientSession, nodeIds: string[]): Promise<ReferenceDescription[][]> {
    const out: ReferenceDescription[][] = [];
    const BATCH = 500;
    for (let i = 0; i < nodeIds.length; i += BATCH) {
      const results = await session.browse(
        nodeIds.slice(i, i + BATCH).map((nodeId) => ({
          nodeId: resolveNodeId(nodeId),
          browseDirection: BrowseDirection.Forward,
          referenceTypeId: 'HierarchicalReferences',
          includeSubtypes: true,
          nodeClassMask: NodeClass.Object | NodeClass.Variable,
          resultMask: 0x3f,
        })),
      );
      for (const result of results) {
        const refs = [...(result.references ?? [])];
        let continuation = result.continuationPoint;
        while (continuation && continuation.length > 0 && result.statusCode === StatusCodes.Good) {
          const more = await session.browseNext(continuation, false);
          refs.push(...(more.references ?? []));
          continuation = more.continuationPoint;
        }
        out.push(refs);
      }
    }
    return out;
  }
}

function render(template: string, vars: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => vars[name] ?? whole);
}

/** A variable two selectors both match is monitored once, by the first. */
function dedupe(nodes: MonitoredNode[]): MonitoredNode[] {
  const seen = new Set<string>();
  return nodes.filter((n) => !seen.has(n.nodeId) && (seen.add(n.nodeId), true));
}
