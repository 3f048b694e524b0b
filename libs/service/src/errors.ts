/** Closed set of error codes raised by @fieldlink/service. */
export const ServiceErrorCode = {
  ConfigInvalid: 'FL_CONFIG_INVALID',
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
