import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { type DynamicModule, type INestApplication } from '@nestjs/common';
import { type ServiceConfig } from './config/service-config.schema';
import { type Logger, NestPinoLogger, createLogger } from './observability/logger';
import { type ProcessFaults } from './observability/process-faults';
import { type ServiceRuntime } from './service-runtime';
import { PROCESS_FAULTS, SERVICE_RUNTIME } from './tokens';

export interface RunServiceOptions<C extends ServiceConfig> {
  service: string;
  /** Reads and validates config; a throw exits with code 2 and one JSON line naming the bad key. */
  loadConfig(env: NodeJS.ProcessEnv): C;
  /** The app's root module (one that includes ServiceModule). */
  module(config: C, logger: Logger): DynamicModule;
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts a service: config, then HTTP (so liveness answers while Kafka is still being
 * reached), then the runtime. SIGTERM/SIGINT drain it and exit 0. From then on an error no code
 * handled is logged and counted instead of ending the process (ProcessFaults).
 */
export async function runService<C extends ServiceConfig>(options: RunServiceOptions<C>): Promise<INestApplication | undefined> {
  const { service } = options;
  let config: C;
  try {
    config = options.loadConfig(options.env ?? process.env);
  } catch (error) {
    // Before config there is no logger yet; one JSON line on stderr keeps logs machine-readable.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${JSON.stringify({ level: 'fatal', service, msg: `invalid configuration: ${message}` })}\n`);
    process.exitCode = 2;
    return undefined;
  }
  const logger = createLogger(service, config.log.level, config.gateway.instanceId);
  const app = await NestFactory.create(options.module(config, logger), { logger: new NestPinoLogger(logger), abortOnError: false });
  app.get<ProcessFaults>(PROCESS_FAULTS).install();
  await app.listen(config.http.port, config.http.host);
  logger.info({ port: config.http.port }, 'health and metrics listening');
  const runtime = app.get<ServiceRuntime>(SERVICE_RUNTIME);
  installShutdown(app, () => runtime.stop(), logger, config.shutdown.drainTimeoutMs);
  runtime.start().catch((err: unknown) => {
    logger.fatal({ err }, `${service} failed to start`);
    process.exit(1);
  });
  return app;
}

/**
 * On SIGTERM or SIGINT: stop the service (flush, commit), close HTTP and exit 0; exit 1 if
 * stopping fails or outlives the drain deadline.
 */
export function installShutdown(app: INestApplication, stopService: () => Promise<void>, logger: Logger, drainTimeoutMs: number): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // A hard deadline, in case a broker never answers a disconnect: after the three stages a
    // service drains in, each within drainTimeoutMs (a gateway: commands, ingress, Kafka).
    setTimeout(() => process.exit(1), 3 * drainTimeoutMs + 5000).unref();
    stopService()
      .then(() => app.close())
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
