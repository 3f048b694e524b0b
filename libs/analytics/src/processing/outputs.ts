import { type OutgoingRecord } from '@fieldlink/kafka';
import { type WindowStats } from '../windows/window-stats';
import { type Alert, type Command, dateTimeMillis, type DeadLetter, type DeviceStatus, SCHEMA_VERSION, stableId, type Telemetry, type TopicMap, type WindowStatsRecord } from '@fieldlink/schemas';

const iso = (ms: number): string => new Date(ms).toISOString();

function record(topic: string, key: string | null, value: object): OutgoingRecord {
  return { topic, key, value: JSON.stringify(value) };
}

export function windowStatsRecord(topics: TopicMap, deviceId: string, metric: string, advanceMs: number, w: WindowStats): OutgoingRecord {
  const size = w.end - w.start;
  const value: WindowStatsRecord = {
    schemaVersion: SCHEMA_VERSION,
    id: stableId('ws', deviceId, metric, w.start, size, advanceMs),
    deviceId,
    metric,
    window: { start: iso(w.start), end: iso(w.end), sizeMs: size, advanceMs },
    count: w.count,
    mean: w.mean,
    min: w.min,
    max: w.max,
    stddev: w.stddev,
    firstEventTime: iso(w.firstEventTime),
    lastEventTime: iso(w.lastEventTime),
  };
  return record(topics['window-stats'], deviceId, value);
}

export interface AlertFacts {
  id: string;
  state: Alert['state'];
  telemetry: Telemetry;
  metric: string;
  value: number;
  score: number;
  detector: string;
  severity: Alert['severity'];
  expected?: { low: number; high: number };
  raisedId?: string;
}

export function alertRecord(topics: TopicMap, facts: AlertFacts): OutgoingRecord {
  const alert: Alert = {
    schemaVersion: SCHEMA_VERSION,
    id: facts.id,
    deviceId: facts.telemetry.deviceId,
    metric: facts.metric,
    state: facts.state,
    value: facts.value,
    score: facts.score,
    detector: facts.detector,
    severity: facts.severity,
    eventTime: facts.telemetry.eventTime,
    telemetryId: facts.telemetry.id,
  };
  if (facts.expected) alert.expected = facts.expected;
  if (facts.raisedId) alert.raisedId = facts.raisedId;
  return record(topics.alerts, alert.deviceId, alert);
}

/**
 * Created and expiring in event time, so a replayed reading produces the very same command.
 * Addressed to the protocol and gateway instance the reading came through: if the device has
 * moved since, the command fails (FL_COMMAND_WRONG_TARGET) rather than reaching it by surprise.
 */
/** What a fired rule sends: its own action, or the branch its decision picked. */
export interface CommandSpec {
  name: string;
  action: string;
  args?: Record<string, unknown>;
  ttlMs: number;
}

export function commandRecord(topics: TopicMap, rule: CommandSpec, telemetry: Telemetry, metric: string, value: number, score?: number): OutgoingRecord {
  const created = dateTimeMillis(telemetry.eventTime);
  const command: Command = {
    schemaVersion: SCHEMA_VERSION,
    id: stableId('cmd', rule.name, telemetry.id, metric),
    deviceId: telemetry.deviceId,
    action: rule.action,
    args: { ...(rule.args ?? {}), rule: rule.name, metric, value, ...(score === undefined ? {} : { score }), telemetryId: telemetry.id },
    protocol: telemetry.source.protocol,
    gateway: telemetry.source.gateway,
    createdAt: iso(created),
    expiresAt: iso(created + rule.ttlMs),
  };
  return record(topics.commands, command.deviceId, command);
}

export interface RejectedInput {
  topic: string;
  partition: number;
  offset: string;
  raw: Buffer;
  deviceId?: string;
  code: string;
  message: string;
}

export function deadLetterRecord(topics: TopicMap, instanceId: string, input: RejectedInput, receivedAt: number): OutgoingRecord {
  const letter: DeadLetter = {
    schemaVersion: SCHEMA_VERSION,
    id: stableId('dl', input.topic, input.partition, input.offset, input.code),
    receiveTime: iso(receivedAt),
    source: { protocol: 'kafka', gateway: instanceId, ref: `${input.topic}/${input.partition}@${input.offset}` },
    reason: { code: input.code, message: input.message },
    payload: { encoding: 'base64', size: input.raw.length, data: input.raw.toString('base64') },
  };
  if (input.deviceId) letter.deviceId = input.deviceId;
  return record(topics['dead-letter'], input.deviceId ?? null, letter);
}

/**
 * A device's silence, or its end, as device-status: about the device, so it carries the source
 * of the device's last reading; `detail.detectedBy` names the processor instance.
 */
export function silenceStatusRecord(topics: TopicMap, instanceId: string, last: Telemetry, facts: { id: string; status: 'offline' | 'online'; at: number; detail: Record<string, unknown> }): OutgoingRecord {
  const status: DeviceStatus = {
    schemaVersion: SCHEMA_VERSION,
    id: facts.id,
    deviceId: last.deviceId,
    eventTime: iso(facts.at),
    receiveTime: iso(facts.at),
    source: last.source,
    status: facts.status,
    detail: { ...facts.detail, detectedBy: instanceId },
  };
  return record(topics['device-status'], status.deviceId, status);
}
