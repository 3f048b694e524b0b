/** Closed set of the OPC UA gateway's own codes, for command results and logs. */
export const OpcuaErrorCode = {
  /** The server answered the write or call with a bad StatusCode; the result's detail names it. */
  BadStatus: 'FL_OPCUA_BAD_STATUS',
  /** The command names no variable or method this gateway knows for the device. */
  UnknownTarget: 'FL_OPCUA_UNKNOWN_TARGET',
  /** The command's arguments do not fit the variable's or method's data types. */
  BadArguments: 'FL_OPCUA_BAD_ARGUMENTS',
  /** The device's endpoint has no session right now. */
  NotConnected: 'FL_OPCUA_NOT_CONNECTED',
  /** An action other than write or call. */
  UnknownAction: 'FL_OPCUA_UNKNOWN_ACTION',
  /** The command names a node outside its device and the endpoint's commandNodes. */
  NotAllowed: 'FL_OPCUA_NOT_ALLOWED',
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
