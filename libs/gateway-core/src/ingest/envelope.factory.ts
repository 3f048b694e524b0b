import { randomUUID } from 'node:crypto';
import {
  type DeadLetter,
  type DeviceStatus,
  type Reading,
  SCHEMA_VERSION,
  SchemaError,
  SchemaErrorCode,
  type Source,
  type Telemetry,
  isPlainObject,
  parseJson,
  decodeUtf8,
} from '@fieldlink/schemas';
import { type InboundMessage, type Protocol } from './inbound-message';

export interface EnvelopeContext {
  protocol: Protocol;
  instanceId: string;
}

function sourceOf(message: InboundMessage, ctx: EnvelopeContext): Source {
  return { protocol: ctx.protocol, gateway: ctx.instanceId, ref: message.ref, mapping: message.route.name };
}

function common(message: InboundMessage, deviceId: string, ctx: EnvelopeContext, eventTime: Date | undefined) {
  const base = {
    schemaVersion: SCHEMA_VERSION,
    id: message.id ?? randomUUID(),
    deviceId,
    eventTime: (eventTime ?? message.receivedAt).toISOString(),
    receiveTime: message.receivedAt.toISOString(),
    source: sourceOf(message, ctx),
  } as const;
  return message.labels && Object.keys(message.labels).length > 0 ? { ...base, labels: message.labels } : base;
}

export function buildTelemetry(message: InboundMessage, deviceId: string, reading: Reading, ctx: EnvelopeContext): Telemetry {
  return { ...common(message, deviceId, ctx, reading.eventTime), values: reading.values };
}

/**
 * A status payload is either plain text (`online`) or a JSON object with a
 * `status` string; the object's other fields become `detail`.
 */
export function buildDeviceStatus(message: InboundMessage, deviceId: string, ctx: EnvelopeContext): DeviceStatus {
  const text = decodeUtf8(message.payload).trim();
  if (!text.startsWith('{')) {
    if (text.length === 0) throw new SchemaError(SchemaErrorCode.NoMetrics, 'status payload is empty');
    return { ...common(message, deviceId, ctx, undefined), status: text };
  }
  const body = parseJson(message.payload);
  if (!isPlainObject(body) || typeof body['status'] !== 'string') {
    throw new SchemaError(SchemaErrorCode.NotAnObject, 'status payload must be text or a JSON object with a "status" string');
  }
  const { status, ...detail } = body;
  const envelope: DeviceStatus = { ...common(message, deviceId, ctx, undefined), status };
  return Object.keys(detail).length > 0 ? { ...envelope, detail } : envelope;
}

export function buildDeadLetter(
  message: InboundMessage,
  reason: { code: string; message: string },
  ctx: EnvelopeContext,
  maxBytes: number,
): DeadLetter {
  const kept = message.payload.subarray(0, maxBytes);
  const letter: DeadLetter = {
    schemaVersion: SCHEMA_VERSION,
    id: message.id ?? randomUUID(),
    receiveTime: message.receivedAt.toISOString(),
    source: sourceOf(message, ctx),
    reason,
    payload: { encoding: 'base64', size: message.payload.length, data: kept.toString('base64') },
  };
  if (kept.length < message.payload.length) letter.payload.truncated = true;
  if (message.deviceId) letter.deviceId = message.deviceId;
  return letter;
}
