import { AttributeIds, BrowseDirection, type ClientSession, DataType, NodeClass, type StatusCode, Variant, VariantArrayType, resolveNodeId } from 'node-opcua';
import { type DeliveryOutcome } from '@fieldlink/gateway-core';
import { type Command } from '@fieldlink/schemas';
import { OpcuaErrorCode } from '../errors';
import { type DeviceNodes } from '../ingress/endpoint-monitor';
import { variantValue } from '../mapping/variant-value';

/**
 * A command as OPC UA service calls:
 * - `write` with args `{metric, value}` (or `{nodeId, value}`) writes the variable, typed as the
 *   server declares it (its DataType attribute);
 * - `call` with args `{method, inputs?}` calls the method of that BrowseName on the device's
 *   object (or `{objectId, methodId, inputs?}`), its inputs typed by the method's InputArguments.
 * A Good StatusCode is `succeeded` (a call's with its output arguments by name); any other is
 * `failed` with FL_OPCUA_BAD_STATUS and the StatusCode's name and number.
 */
export async function executeCommand(session: ClientSession, command: Command, device: DeviceNodes | undefined): Promise<DeliveryOutcome> {
  const args = command.args ?? {};
  try {
    switch (command.action) {
      case 'write':
        return await write(session, args, device);
      case 'call':
        return await call(session, args, device);
      default:
        return failed(OpcuaErrorCode.UnknownAction, `action "${command.action}" is not one of write, call`);
    }
  } catch (error) {
    if (error instanceof CommandError) return failed(error.code, error.message);
    throw error;
  }
}

class CommandError extends Error {
  constructor(
    readonly code: OpcuaErrorCode,
    message: string,
  ) {
    super(message);
  }
}

async function write(session: ClientSession, args: Record<string, unknown>, device: DeviceNodes | undefined): Promise<DeliveryOutcome> {
  const nodeId = stringArg(args, 'nodeId') ?? variableOf(device, stringArg(args, 'metric'));
  if (!('value' in args)) throw new CommandError(OpcuaErrorCode.BadArguments, 'write needs args.value');
  const [typeValue, rankValue] = await session.read([
    { nodeId: resolveNodeId(nodeId), attributeId: AttributeIds.DataType },
    { nodeId: resolveNodeId(nodeId), attributeId: AttributeIds.ValueRank },
  ]);
  if (!typeValue || typeValue.statusCode.isNotGood()) return badStatus(`read the DataType of ${nodeId}`, typeValue?.statusCode);
  const dataType = builtInType(typeValue.value.value as { namespace: number; value: unknown });
  const isArray = Number(rankValue?.value.value ?? -1) >= 1;
  const status = await session.write({ nodeId: resolveNodeId(nodeId), attributeId: AttributeIds.Value, value: { value: variant(dataType, isArray, args['value'], nodeId) } });
  return status.isGood() ? { status: 'succeeded', output: { nodeId, statusCode: status.name } } : badStatus(`write ${nodeId}`, status);
}

async function call(session: ClientSession, args: Record<string, unknown>, device: DeviceNodes | undefined): Promise<DeliveryOutcome> {
  const objectId = stringArg(args, 'objectId') ?? device?.objectId;
  if (!objectId) throw new CommandError(OpcuaErrorCode.UnknownTarget, 'the device has no object to call a method on; give args.objectId');
  const methodId = stringArg(args, 'methodId') ?? (await methodOf(session, objectId, stringArg(args, 'method')));
  const inputs = args['inputs'] ?? [];
  if (!Array.isArray(inputs)) throw new CommandError(OpcuaErrorCode.BadArguments, 'args.inputs must be an array of the method’s input arguments, in order');
  const definition = await session.getArgumentDefinition(resolveNodeId(methodId));
  const expected = definition.inputArguments ?? [];
  if (inputs.length !== expected.length) {
    throw new CommandError(OpcuaErrorCode.BadArguments, `method ${methodId} takes ${expected.length} input argument(s) (${expected.map((a) => a.name).join(', ')}), got ${inputs.length}`);
  }
  const inputArguments = expected.map((arg, i) => variant(builtInType(arg.dataType as { namespace: number; value: unknown }), (arg.valueRank ?? -1) >= 1, inputs[i], `${methodId} input ${arg.name ?? i}`));
  const result = await session.call({ objectId: resolveNodeId(objectId), methodId: resolveNodeId(methodId), inputArguments });
  if (result.statusCode.isNotGood()) return badStatus(`call ${methodId}`, result.statusCode);
  const names = definition.outputArguments?.map((a, i) => a.name ?? `output${i}`) ?? [];
  const outputs = Object.fromEntries((result.outputArguments ?? []).map((v, i) => [names[i] ?? `output${i}`, jsonSafe(variantValue(v))]));
  return { status: 'succeeded', output: { methodId, outputs } };
}

function variableOf(device: DeviceNodes | undefined, metric: string | undefined): string {
  if (!metric) throw new CommandError(OpcuaErrorCode.BadArguments, 'write needs args.metric (or args.nodeId)');
  const nodeId = device?.variables.get(metric);
  if (!nodeId) throw new CommandError(OpcuaErrorCode.UnknownTarget, `the device has no variable "${metric}"; known: ${[...(device?.variables.keys() ?? [])].join(', ') || 'none'}`);
  return nodeId;
}

async function methodOf(session: ClientSession, objectId: string, name: string | undefined): Promise<string> {
  if (!name) throw new CommandError(OpcuaErrorCode.BadArguments, 'call needs args.method (a BrowseName) or args.methodId');
  const result = await session.browse({
    nodeId: resolveNodeId(objectId),
    browseDirection: BrowseDirection.Forward,
    referenceTypeId: 'HasComponent',
    includeSubtypes: true,
    nodeClassMask: NodeClass.Method,
    resultMask: 0x3f,
  });
  const method = result.references?.find((r) => r.browseName.name === name);
  if (!method) throw new CommandError(OpcuaErrorCode.UnknownTarget, `object ${objectId} has no method "${name}"`);
  return method.nodeId.toString();
}

/** A built-in type from a DataType NodeId; custom types (namespace > 0) derive from one the client cannot see here. */
function builtInType(nodeId: { namespace: number; value: unknown }): DataType {
  if (nodeId.namespace === 0 && typeof nodeId.value === 'number' && nodeId.value >= 1 && nodeId.value <= 25) return nodeId.value;
  throw new CommandError(OpcuaErrorCode.BadArguments, `data type ns=${nodeId.namespace};i=${String(nodeId.value)} is not a built-in type this gateway can write`);
}

function variant(dataType: DataType, isArray: boolean, value: unknown, what: string): Variant {
  const coerce = (v: unknown) => scalar(dataType, v, what);
  if (isArray) {
    if (!Array.isArray(value)) throw new CommandError(OpcuaErrorCode.BadArguments, `${what} takes an array of ${DataType[dataType]}`);
    return new Variant({ dataType, arrayType: VariantArrayType.Array, value: value.map(coerce) });
  }
  return new Variant({ dataType, value: coerce(value) });
}

function scalar(dataType: DataType, value: unknown, what: string): unknown {
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

function stringArg(args: Record<string, unknown>, name: string): string | undefined {
  const value = args[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) throw new CommandError(OpcuaErrorCode.BadArguments, `args.${name} must be a non-empty string`);
  return value;
}

function jsonSafe(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v)) ?? 'null');
}

function badStatus(what: string, status: StatusCode | undefined): DeliveryOutcome {
  return failed(OpcuaErrorCode.BadStatus, `${what}: ${status?.name ?? 'no result'} (0x${(status?.value ?? 0).toString(16).padStart(8, '0')})`);
}

function failed(code: string, message: string): DeliveryOutcome {
  return { status: 'failed', code, message };
}
