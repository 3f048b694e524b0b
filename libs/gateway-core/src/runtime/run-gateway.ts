import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { type DynamicModule, type INestApplication } from '@nestjs/common';
import { type CoreConfig } from '../config/core-config.schema';
import { type Logger, NestPinoLogger } from '../observability/logger';
import { GatewayRuntime } from './gateway.runtime';

/**
 * Starts a gateway: HTTP first (so liveness answers while Kafka is still being
 * reached), then the runtime. SIGTERM/SIGINT drain it and exit 0.
 */
export async function runGateway(module: DynamicModule, config: CoreConfig, logger: Logger): Promise<INestApplication> {
  const app = await NestFactory.create(module, {
    logger: new NestPinoLogger(logger),
    abortOnError: false,
  });
  await app.listen(config.http.port, config.http.host);
  logger.info({ port: config.http.port }, 'health and metrics listening');
  const runtime = app.get(GatewayRuntime);
  installShutdown(app, () => runtime.stop(), logger, config.shutdown.drainTimeoutMs);
  runtime.start().catch((err: unknown) => {
    logger.fatal({ err }, 'gateway failed to start');
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
    // A hard deadline, in case a broker never answers a disconnect.
    setTimeout(() => process.exit(1), drainTimeoutMs + 5000).unref();
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
