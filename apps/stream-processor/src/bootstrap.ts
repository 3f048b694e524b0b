import 'reflect-metadata';
import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestPinoLogger, createLogger, installShutdown } from '@fieldlink/gateway-core';
import { AppModule } from './app.module';
import { type StreamProcessorConfig, loadStreamProcessorConfig } from './config/stream-processor.config';
import { StreamProcessorService } from './ingress/stream-processor.service';

/** Loads config from FIELDLINK_CONFIG and the environment, serves health and metrics, then consumes. */
export async function bootstrap(env: NodeJS.ProcessEnv = process.env): Promise<INestApplication | undefined> {
  let config: StreamProcessorConfig;
  try {
    config = loadStreamProcessorConfig(env);
  } catch (error) {
    // Before config there is no logger yet; one JSON line on stderr keeps logs machine-readable.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'stream-processor', msg: `invalid configuration: ${message}` })}\n`);
    process.exitCode = 2;
    return undefined;
  }
  const logger = createLogger('stream-processor', config.log.level, config.gateway.instanceId);
  const app = await NestFactory.create(AppModule.forRoot(config, logger), { logger: new NestPinoLogger(logger), abortOnError: false });
  await app.listen(config.http.port, config.http.host);
  logger.info({ port: config.http.port }, 'health and metrics listening');
  const processor = app.get(StreamProcessorService);
  installShutdown(app, () => processor.stop(), logger, config.shutdown.drainTimeoutMs);
  processor.start().catch((err: unknown) => {
    logger.fatal({ err }, 'stream processor failed to start');
    process.exit(1);
  });
  return app;
}
