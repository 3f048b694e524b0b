/** Why the stream processor set a record aside; each lands on dead-letter with this code. */
export enum StreamErrorCode {
  /** A record on telemetry that is no valid telemetry envelope; set aside, not processed. */
  InvalidTelemetry = 'FL_STREAM_INVALID_TELEMETRY',
  /** A reading whose eventTime is past the grace period of a window already closed. */
  LateEvent = 'FL_STREAM_LATE_EVENT',
}
