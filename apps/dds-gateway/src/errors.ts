/** Closed set of the DDS gateway's own codes, for command results and logs. */
export const DdsErrorCode = {
  /** No DataReader of the command topic has matched the gateway's writer, so nobody would get it. */
  NoReader: 'FL_DDS_NO_READER',
  /** A matched reliable reader did not acknowledge the command within dds.commands.ackTimeoutMs. */
  NoAck: 'FL_DDS_NO_ACK',
  /** The Connector refused the sample, e.g. a string longer than its bound in the XML type. */
  WriteFailed: 'FL_DDS_WRITE_FAILED',
  /** dds.commands.enabled is false. */
  CommandsDisabled: 'FL_DDS_COMMANDS_DISABLED',
} as const;
export type DdsErrorCode = (typeof DdsErrorCode)[keyof typeof DdsErrorCode];
