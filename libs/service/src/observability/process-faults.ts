import { type EventEmitter } from 'node:events';
import { Counter, type Registry } from 'prom-client';
import { type Logger } from './logger';

/**
 * The last line of defence: an error no code handled. A rejected promise nobody awaited is
 * logged and counted, and the service goes on. An uncaught exception may have left state half
 * changed, so after it /health/live fails and the orchestrator restarts the service with a
 * graceful SIGTERM (its drain keeps what was acknowledged), instead of the process dying on
 * the spot mid-write, or crash-looping on a device's bad input.
 */
export class ProcessFaults {
  private readonly counter: Counter<'kind'>;
  private broken: string | undefined;

  constructor(
    registry: Registry,
    private readonly logger: Logger,
  ) {
    this.counter = new Counter({
      name: 'fieldlink_process_faults_total',
      help: 'Errors no code handled: unhandled promise rejections (the service goes on) and uncaught exceptions (liveness then fails)',
      labelNames: ['kind'],
      registers: [registry],
    });
  }

  /** Why liveness fails, once an uncaught exception happened. */
  get brokenBy(): string | undefined {
    return this.broken;
  }

  install(target: EventEmitter = process): void {
    target.on('unhandledRejection', (reason: unknown) => {
      this.counter.inc({ kind: 'rejection' });
      this.logger.error({ err: reason }, 'unhandled promise rejection; the service goes on');
    });
    target.on('uncaughtException', (err: Error, origin: string) => {
      this.counter.inc({ kind: 'exception' });
      this.broken ??= `${origin}: ${err.message}`;
      this.logger.fatal({ err, origin }, 'uncaught exception; /health/live fails from now on, so the service is restarted');
    });
  }
}
