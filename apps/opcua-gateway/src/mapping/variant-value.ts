import { type NativeValue } from '@fieldlink/gateway-core';
import { SchemaError, SchemaErrorCode } from '@fieldlink/schemas';
import { DataType, Variant, VariantArrayType } from 'node-opcua';
import { CommandError, OpcuaErrorCode } from '../errors';

// Both directions between OPC UA values and the envelope's: variantValue for what the gateway
// reads (dead-lettered when it cannot be carried), toVariant for what commands write.

/**
 * A Variant's value as the envelope rule takes it (see toReading): Int64 and UInt64, which
 * node-opcua gives as [high, low] 32-bit halves, become bigints; LocalizedText its text;
 * NodeId, QualifiedName and Guid their string form; a structure (ExtensionObject) whose type the
 * client decoded becomes an object of its fields. Anything else throws, and the value is dead-lettered.
 */
export function variantValue(variant: Variant): NativeValue {
  if (variant.arrayType === VariantArrayType.Scalar) return scalar(variant.dataType, variant.value, 0);
  const items = Array.from(variant.value as ArrayLike<unknown>);
  return items.map((item) => scalar(variant.dataType, item, 0));
}

const MAX_DEPTH = 8;

function scalar(type: DataType, value: unknown, depth: number): NativeValue {
  if (value === null || value === undefined) return null;
  switch (type) {
    case DataType.Null:
      return null;
    case DataType.Boolean:
    case DataType.SByte:
    case DataType.Byte:
    case DataType.Int16:
    case DataType.UInt16:
    case DataType.Int32:
    case DataType.UInt32:
    case DataType.Float:
    case DataType.Double:
    case DataType.StatusCode:
      return typeof value === 'object' && 'value' in value ? Number(value.value) : (value as number | boolean);
    case DataType.Int64:
      return BigInt.asIntN(64, int64(value));
    case DataType.UInt64:
      return int64(value);
    case DataType.String:
    case DataType.XmlElement:
      return text(value);
    case DataType.DateTime:
      return value as Date;
    case DataType.ByteString:
      return value as Uint8Array;
    case DataType.Guid:
    case DataType.NodeId:
    case DataType.ExpandedNodeId:
    case DataType.QualifiedName:
      return text(value);
    case DataType.LocalizedText:
      return (value as { text?: string | null }).text ?? null;
    case DataType.ExtensionObject:
      return structure(value, depth);
    case DataType.DataValue:
    case DataType.Variant:
    case DataType.DiagnosticInfo:
      throw unsupported(`a ${DataType[type]} value`);
    default:
      throw unsupported(`data type ${String(type)}`);
  }
}

function int64(value: unknown): bigint {
  if (Array.isArray(value) && value.length === 2) return (BigInt(value[0] as number) << 32n) | BigInt(value[1] as number);
  if (typeof value === 'number' || typeof value === 'bigint') return BigInt(value);
  throw unsupported('a 64-bit integer node-opcua did not decode');
}

/** A decoded structure: node-opcua's object carries its type description in `schema.fields`. */
function structure(value: unknown, depth: number): NativeValue {
  const fields = (value as { schema?: { fields?: { name: string; fieldType?: string }[] } }).schema?.fields;
  const name = (value as { schema?: { name?: string } }).schema?.name ?? 'unknown';
  if (!fields || name === 'OpaqueStructure' || depth >= MAX_DEPTH) throw unsupported(`a structure of type ${name} the client could not decode`);
  const out: Record<string, NativeValue> = {};
  for (const field of fields) {
    const key = field.name.charAt(0).toLowerCase() + field.name.slice(1);
    const item = (value as Record<string, unknown>)[key] ?? (value as Record<string, unknown>)[field.name];
    out[field.name] = plain(item, depth + 1);
  }
  return out;
}

/** A structure field: node-opcua gives plain JS values, nested structures, or arrays of them. */
function plain(value: unknown, depth: number): NativeValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean' || typeof value === 'bigint') return value;
  if (value instanceof Date || value instanceof Uint8Array) return value;
  if (Array.isArray(value) || ArrayBuffer.isView(value)) return Array.from(value as ArrayLike<unknown>, (v) => plain(v, depth + 1));
  if (typeof value === 'object' && 'schema' in value) return structure(value, depth);
  if (typeof value === 'object' && 'text' in value) return (value as { text?: string | null }).text ?? null;
  if (typeof value === 'object' && value.toString !== Object.prototype.toString) return text(value);
  throw unsupported('a structure field of an unknown kind');
}

/** Strings as they are; NodeId, Guid and QualifiedName objects by their own toString (their OPC UA text form). */
function text(value: unknown): string {
  return typeof value === 'string' ? value : (value as { toString(): string }).toString();
}

function unsupported(what: string): SchemaError {
  return new SchemaError(SchemaErrorCode.UnsupportedValue, `${what} cannot be carried in an envelope`);
}

/** A built-in type from a DataType NodeId; custom types (namespace > 0) derive from one the client cannot see here. */
export function builtInType(nodeId: { namespace: number; value: unknown }): DataType {
  if (nodeId.namespace === 0 && typeof nodeId.value === 'number' && nodeId.value >= 1 && nodeId.value <= 25) return nodeId.value;
  throw new CommandError(OpcuaErrorCode.BadArguments, `data type ns=${nodeId.namespace};i=${String(nodeId.value)} is not a built-in type this gateway can write`);
}

/** A command argument (JSON) as a Variant of the variable's or input argument's type; `what` names it in errors. */
export function toVariant(dataType: DataType, isArray: boolean, value: unknown, what: string): Variant {
  const coerce = (v: unknown) => jsonScalar(dataType, v, what);
  if (isArray) {
    if (!Array.isArray(value)) throw new CommandError(OpcuaErrorCode.BadArguments, `${what} takes an array of ${DataType[dataType]}`);
    return new Variant({ dataType, arrayType: VariantArrayType.Array, value: value.map(coerce) });
  }
  return new Variant({ dataType, value: coerce(value) });
}

function jsonScalar(dataType: DataType, value: unknown, what: string): unknown {
  const wrong = () => new CommandError(OpcuaErrorCode.BadArguments, `${what} takes a ${DataType[dataType]}, not ${JSON.stringify(value)}`);
  switch (dataType) {
    case DataType.Boolean:
      if (typeof value !== 'boolean') throw wrong();
      return value;
    case DataType.SByte:
    case DataType.Byte:
    case DataType.Int16:
    case DataType.UInt16:
    case DataType.Int32:
    case DataType.UInt32:
      if (typeof value !== 'number' || !Number.isInteger(value)) throw wrong();
      return value;
    case DataType.Float:
    case DataType.Double:
      if (typeof value !== 'number') throw wrong();
      return value;
    case DataType.Int64:
    case DataType.UInt64:
      // node-opcua takes a decimal string for the full 64-bit range.
      if ((typeof value !== 'number' || !Number.isInteger(value)) && (typeof value !== 'string' || !/^-?\d+$/.test(value))) throw wrong();
      return String(value);
    case DataType.String:
      if (typeof value !== 'string') throw wrong();
      return value;
    case DataType.DateTime:
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw wrong();
      return new Date(value);
    case DataType.ByteString:
      if (typeof value !== 'string') throw wrong();
      return Buffer.from(value, 'base64');
    case DataType.Null:
    case DataType.Guid:
    case DataType.XmlElement:
    case DataType.NodeId:
    case DataType.ExpandedNodeId:
    case DataType.StatusCode:
    case DataType.QualifiedName:
    case DataType.LocalizedText:
    case DataType.ExtensionObject:
    case DataType.DataValue:
    case DataType.Variant:
    case DataType.DiagnosticInfo:
      throw new CommandError(OpcuaErrorCode.BadArguments, `${what} is a ${DataType[dataType]}, which commands cannot write`);
  }
}
