export { Backoff, type BackoffJitter, type BackoffOptions } from './backoff';
export { InFlight } from './in-flight';
export { type RetryOptions, retryWithBackoff } from './retry';
export { withTimeout } from './with-timeout';
