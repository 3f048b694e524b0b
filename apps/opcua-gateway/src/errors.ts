/** Closed set of the OPC UA gateway's own codes, for command results and logs. */
export const OpcuaErrorCode = {
  /** The server answered the write or call with a bad StatusCode; the result's detail names it. */
  BadStatus: 'FL_OPCUA_BAD_STATUS',
  /** The command names no variable or method this gateway knows for the device. */
  UnknownTarget: 'FL_OPCUA_UNKNOWN_TARGET',
  /** The command's arguments do not fit the variable's or method's data types. */
  BadArguments: 'FL_OPCUA_BAD_ARGUMENTS',
  /** The device's endpoint has no session right now; or no endpoint is known to have the device while endpoints given to this gateway were still being handed over, connected or browsed 20 s later (a command during a restart or a failover). */
  NotConnected: 'FL_OPCUA_NOT_CONNECTED',
  /** An action other than write or call. */
  UnknownAction: 'FL_OPCUA_UNKNOWN_ACTION',
  /** The command writes a variable not in the endpoint's writable, or calls a method not in its callable. */
  NotAllowed: 'FL_OPCUA_NOT_ALLOWED',
  /** The command names a raw NodeId (args.nodeId, objectId, methodId) not in the endpoint's commandNodes. */
  NodeIdNotAllowed: 'FL_OPCUA_NODE_ID_NOT_ALLOWED',
  /** Two endpoints this replica serves have a device of the command's id (deviceId templates without {endpoint}). */
  AmbiguousDevice: 'FL_OPCUA_AMBIGUOUS_DEVICE',
} as const;
export type OpcuaErrorCode = (typeof OpcuaErrorCode)[keyof typeof OpcuaErrorCode];

/** A command the gateway cannot carry out as asked; reported as a `failed` result with its code. */
export class CommandError extends Error {
  constructor(
    readonly code: OpcuaErrorCode,
    message: string,
  ) {
    super(message);
  }
}
