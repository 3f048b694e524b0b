/** The Sparkplug B topic namespace (Sparkplug 3.0, 4.1): spBv1.0/<group>/<type>/<edge node>[/<device>]. */
export const NAMESPACE = 'spBv1.0';

/** The route name of everything the Sparkplug host forwards: envelopes' source.mapping and metrics' label. */
export const SPARKPLUG_ROUTE = 'sparkplug';

export const NODE_TYPES = ['NBIRTH', 'NDEATH', 'NDATA', 'NCMD'] as const;
export const DEVICE_TYPES = ['DBIRTH', 'DDEATH', 'DDATA', 'DCMD'] as const;
export type MessageType = (typeof NODE_TYPES)[number] | (typeof DEVICE_TYPES)[number];

/** What a host application reads: births, deaths and data of nodes and devices (commands are its own). */
export const INBOUND_TYPES = ['NBIRTH', 'NDEATH', 'NDATA', 'DBIRTH', 'DDEATH', 'DDATA'] as const;

export interface SparkplugTopic {
  group: string;
  type: MessageType;
  node: string;
  /** Only on D* messages. */
  device?: string;
}

export function isSparkplugTopic(topic: string): boolean {
  return topic.startsWith(`${NAMESPACE}/`);
}

/** The topic's parts, or a reason it is not a Sparkplug B node or device topic. */
export function parseSparkplugTopic(topic: string): SparkplugTopic | string {
  const [namespace, group, type, node, device, ...rest] = topic.split('/');
  if (namespace !== NAMESPACE || !group || !type || !node) return `"${topic}" is not ${NAMESPACE}/<group>/<type>/<edge node>[/<device>]`;
  if ((NODE_TYPES as readonly string[]).includes(type)) {
    return device === undefined ? { group, type: type as MessageType, node } : `a ${type} topic has no device level: "${topic}"`;
  }
  if ((DEVICE_TYPES as readonly string[]).includes(type)) {
    return device && rest.length === 0 ? { group, type: type as MessageType, node, device } : `a ${type} topic names one device: "${topic}"`;
  }
  return `"${type}" is no Sparkplug B message type (in "${topic}")`;
}

export function sparkplugTopic(parts: SparkplugTopic): string {
  return [NAMESPACE, parts.group, parts.type, parts.node, ...(parts.device !== undefined ? [parts.device] : [])].join('/');
}

/** The subscriptions a host needs for the given groups ('+' for every group). */
export function hostSubscriptions(groups: readonly string[]): string[] {
  return groups.flatMap((group) => INBOUND_TYPES.map((type) => `${NAMESPACE}/${group}/${type}/${type.startsWith('N') ? '+' : '+/+'}`));
}
