/** Why the stream processor set a record aside; each lands on dead-letter with this code. */
export enum StreamErrorCode {
  InvalidTelemetry = 'FL_STREAM_INVALID_TELEMETRY',
  LateEvent = 'FL_STREAM_LATE_EVENT',
}
