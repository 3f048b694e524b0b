import { type LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** JSON logs on stdout; secrets are redacted wherever they appear by name. */
export function createLogger(service: string, level: string, instanceId: string): Logger {
  return pino({
    level,
    base: { service, instance: instanceId },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['*.password', '*.*.password', 'password', '*.key', 'authorization'], censor: '[secret]' },
  });
}

/** Routes NestJS's own log lines into the same JSON stream. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
