import { AttributeIds, BrowseDirection, type ClientSession, NodeClass, type StatusCode, resolveNodeId } from 'node-opcua';
import { type DeliveryOutcome } from '@fieldlink/gateway-core';
import { type Command } from '@fieldlink/schemas';
import { CommandError, OpcuaErrorCode } from '../errors';
import { type DeviceNodes } from '../mapping/device-nodes';
import { builtInType, toVariant, variantValue } from '../mapping/variant-value';

/**
 * A command as OPC UA service calls:
 * - `write` with args `{metric, value}` (or `{nodeId, value}`) writes the variable, typed as the
 *   server declares it (its DataType attribute);
 * - `call` with args `{method, inputs?}` calls the method of that BrowseName on the device's
 *   object (or `{objectId, methodId, inputs?}`), its inputs typed by the method's InputArguments.
 * A Good StatusCode is `succeeded` (a call's with its output arguments by name); any other is
 * `failed` with FL_OPCUA_BAD_STATUS and the StatusCode's name and number.
 *
 * A command reaches only its own device: the variables mapped to it and the methods of its
 * object, unless the endpoint lists a NodeId in `commandNodes`. Whoever can produce to the
 * commands topic must not be able to write any variable of a PLC (FL_OPCUA_NOT_ALLOWED).
 */
export async function executeCommand(session: ClientSession, command: Command, device: DeviceNodes | undefined, allowed: ReadonlySet<string> = new Set()): Promise<DeliveryOutcome> {
  const args = command.args ?? {};
  try {
    switch (command.action) {
      case 'write':
        return await write(session, args, device, allowed);
      case 'call':
        return await call(session, args, device, allowed);
      default:
        return failed(OpcuaErrorCode.UnknownAction, `action "${command.action}" is not one of write, call`);
    }
  } catch (error) {
    if (error instanceof CommandError) return failed(error.code, error.message);
    throw error;
  }
}

async function write(session: ClientSession, args: Record<string, unknown>, device: DeviceNodes | undefined, allowed: ReadonlySet<string>): Promise<DeliveryOutcome> {
  const named = stringArg(args, 'nodeId');
  if (named !== undefined && !allowed.has(named) && ![...(device?.variables.values() ?? [])].includes(named)) {
    throw new CommandError(OpcuaErrorCode.NotAllowed, `${named} is not a variable of this device, nor in the endpoint's commandNodes`);
  }
  const nodeId = named ?? variableOf(device, stringArg(args, 'metric'));
  if (!('value' in args)) throw new CommandError(OpcuaErrorCode.BadArguments, 'write needs args.value');
  const [typeValue, rankValue] = await session.read([
    { nodeId: resolveNodeId(nodeId), attributeId: AttributeIds.DataType },
    { nodeId: resolveNodeId(nodeId), attributeId: AttributeIds.ValueRank },
  ]);
  if (!typeValue || typeValue.statusCode.isNotGood()) return badStatus(`read the DataType of ${nodeId}`, typeValue?.statusCode);
  const dataType = builtInType(typeValue.value.value as { namespace: number; value: unknown });
  const isArray = Number(rankValue?.value.value ?? -1) >= 1;
  const status = await session.write({ nodeId: resolveNodeId(nodeId), attributeId: AttributeIds.Value, value: { value: toVariant(dataType, isArray, args['value'], nodeId) } });
  return status.isGood() ? { status: 'succeeded', output: { nodeId, statusCode: status.name } } : badStatus(`write ${nodeId}`, status);
}

async function call(session: ClientSession, args: Record<string, unknown>, device: DeviceNodes | undefined, allowed: ReadonlySet<string>): Promise<DeliveryOutcome> {
  const objectId = stringArg(args, 'objectId') ?? device?.objectId;
  if (!objectId) throw new CommandError(OpcuaErrorCode.UnknownTarget, 'the device has no object to call a method on; give args.objectId');
  if (objectId !== device?.objectId && !allowed.has(objectId)) throw new CommandError(OpcuaErrorCode.NotAllowed, `${objectId} is not this device's object, nor in the endpoint's commandNodes`);
  const named = stringArg(args, 'methodId');
  if (named !== undefined && !allowed.has(named) && !(await methodsOf(session, objectId)).some((m) => m.nodeId.toString() === named)) {
    throw new CommandError(OpcuaErrorCode.NotAllowed, `${named} is not a method of ${objectId}, nor in the endpoint's commandNodes`);
  }
  const methodId = named ?? (await methodOf(session, objectId, stringArg(args, 'method')));
  const inputs = args['inputs'] ?? [];
  if (!Array.isArray(inputs)) throw new CommandError(OpcuaErrorCode.BadArguments, 'args.inputs must be an array of the method’s input arguments, in order');
  const definition = await session.getArgumentDefinition(resolveNodeId(methodId));
  const expected = definition.inputArguments ?? [];
  if (inputs.length !== expected.length) {
    throw new CommandError(OpcuaErrorCode.BadArguments, `method ${methodId} takes ${expected.length} input argument(s) (${expected.map((a) => a.name).join(', ')}), got ${inputs.length}`);
  }
  const inputArguments = expected.map((arg, i) => toVariant(builtInType(arg.dataType as { namespace: number; value: unknown }), (arg.valueRank ?? -1) >= 1, inputs[i], `${methodId} input ${arg.name ?? i}`));
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
  const method = (await methodsOf(session, objectId)).find((r) => r.browseName.name === name);
  if (!method) throw new CommandError(OpcuaErrorCode.UnknownTarget, `object ${objectId} has no method "${name}"`);
  return method.nodeId.toString();
}

async function methodsOf(session: ClientSession, objectId: string) {
  const result = await session.browse({
    nodeId: resolveNodeId(objectId),
    browseDirection: BrowseDirection.Forward,
    referenceTypeId: 'HasComponent',
    includeSubtypes: true,
    nodeClassMask: NodeClass.Method,
    resultMask: 0x3f,
  });
  return result.references ?? [];
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
