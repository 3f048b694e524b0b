/** Closed set of error codes raised by @fieldlink/service. */
export const ServiceErrorCode = {
  /** The config file has an unknown key, a missing required key, a wrong type or a refused combination: exit code 2, the key named. */
  ConfigInvalid: 'FL_CONFIG_INVALID',
  /** The config file (FIELDLINK_CONFIG) cannot be read or is not YAML: exit code 2. */
  ConfigUnreadable: 'FL_CONFIG_UNREADABLE',
} as const;
export type ServiceErrorCode = (typeof ServiceErrorCode)[keyof typeof ServiceErrorCode];

export class ServiceError extends Error {
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ServiceError';
  }
}
