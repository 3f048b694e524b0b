/** What a service's shell starts, stops and asks about readiness. */
export interface ServiceRuntime {
  /** Starts the service's work; HTTP is already answering. A rejection exits the process. */
  start(): Promise<void>;
  /** Drains: stops taking work and flushes what is in flight. */
  stop(): Promise<void>;
  /** Named checks; the service is ready when all are true. */
  ready(): Promise<{ ready: boolean; checks: Record<string, boolean> }>;
}
