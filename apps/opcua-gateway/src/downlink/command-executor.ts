import { AttributeIds, BrowseDirection, type ClientSession, NodeClass, type StatusCode, resolveNodeId } from 'node-opcua';
import { type DeliveryOutcome } from '@fieldlink/gateway-core';
import { type Command } from '@fieldlink/schemas';
import { CommandError, OpcuaErrorCode } from '../errors';
import { type BrowsePattern } from '../mapping/browse-pattern';
import { type DeviceNodes } from '../mapping/device-nodes';
import { builtInType, toVariant, variantValue } from '../mapping/variant-value';

/** What commands may reach on one endpoint besides its devices' writable variables. */
export interface CommandPolicy {
  /** Browse paths of methods a command may call by name on its device's object (the endpoint's `callable`). */
  callable: readonly BrowsePattern[];
  /** NodeIds a command may name raw (the endpoint's `commandNodes`). */
  nodeIds: ReadonlySet<string>;
}

/**
 * A command as OPC UA service calls:
 * - `write` with args `{metric, value}` (or `{nodeId, value}`) writes the variable, typed as the
 *   server declares it (its DataType attribute);
 * - `call` with args `{method, inputs?}` calls the method of that BrowseName on the device's
 *   object (or `{objectId, methodId, inputs?}`), its inputs typed by the method's InputArguments.
 * A Good StatusCode is `succeeded` (a call's with its output arguments by name); any other is
 * `failed` with FL_OPCUA_BAD_STATUS and the StatusCode's name and number.
 *
 * Whoever can produce to the commands topic must not be able to write any variable of a PLC, so
 * a command reaches only what the config names: a variable of its own device that is writable, a
 * method of its device's object that is callable (FL_OPCUA_NOT_ALLOWED otherwise), and a raw NodeId
 * only when the endpoint lists it in commandNodes (FL_OPCUA_NODE_ID_NOT_ALLOWED). Both are
 * checked before the server is contacted.
 */
export async function executeCommand(session: ClientSession, command: Command, device: DeviceNodes | undefined, policy: CommandPolicy): Promise<DeliveryOutcome> {
  const args = command.args ?? {};
  try {
    switch (command.action) {
      case 'write':
        return await write(session, args, device, policy);
      case 'call':
        return await call(session, args, device, policy);
      default:
        return failed(OpcuaErrorCode.UnknownAction, `action "${command.action}" is not one of write, call`);
    }
  } catch (error) {
    if (error instanceof CommandError) return failed(error.code, error.message);
    throw error;
  }
}

async function write(session: ClientSession, args: Record<string, unknown>, device: DeviceNodes | undefined, policy: CommandPolicy): Promise<DeliveryOutcome> {
  const nodeId = rawNodeId(args, 'nodeId', policy) ?? writableVariable(device, stringArg(args, 'metric'));
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

async function call(session: ClientSession, args: Record<string, unknown>, device: DeviceNodes | undefined, policy: CommandPolicy): Promise<DeliveryOutcome> {
  const rawObject = rawNodeId(args, 'objectId', policy);
  const rawMethod = rawNodeId(args, 'methodId', policy);
  const objectId = rawObject ?? device?.objectId;
  if (!objectId) throw new CommandError(OpcuaErrorCode.UnknownTarget, 'the device has no object to call a method on');
  const name = rawMethod === undefined ? stringArg(args, 'method') : undefined;
  // A method by name on an object listed in commandNodes needs no callable entry: listing the object allowed it.
  if (rawMethod === undefined && rawObject === undefined) checkCallable(device, name, policy);
  const methodId = rawMethod ?? (await methodOf(session, objectId, name));
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

/** The NodeId the command names in args[name], if any, once commandNodes allows it. */
function rawNodeId(args: Record<string, unknown>, name: string, policy: CommandPolicy): string | undefined {
  const nodeId = stringArg(args, name);
  if (nodeId !== undefined && !policy.nodeIds.has(nodeId)) {
    throw new CommandError(OpcuaErrorCode.NodeIdNotAllowed, `args.${name} ${nodeId} is a raw NodeId, which the endpoint's commandNodes does not list; name the device's variable by args.metric or its method by args.method`);
  }
  return nodeId;
}

function writableVariable(device: DeviceNodes | undefined, metric: string | undefined): string {
  const nodeId = variableOf(device, metric);
  if (!device?.writable.has(nodeId)) {
    throw new CommandError(OpcuaErrorCode.NotAllowed, `variable "${metric}" of this device is not writable: the endpoint's writable (or its node's writable) does not name it; nothing was written`);
  }
  return nodeId;
}

function checkCallable(device: DeviceNodes | undefined, name: string | undefined, policy: CommandPolicy): void {
  if (!name) throw new CommandError(OpcuaErrorCode.BadArguments, 'call needs args.method (a BrowseName) or args.methodId');
  const path = [...(device?.objectPath ?? []), name];
  if (!policy.callable.some((p) => p.matches(path))) {
    throw new CommandError(OpcuaErrorCode.NotAllowed, `method ${path.join('/')} is not callable: the endpoint's callable does not name it; nothing was called`);
  }
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
