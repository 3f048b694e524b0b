import { type INestApplication } from '@nestjs/common';
import { createLogger, runGateway } from '@fieldlink/gateway-core';
import { AppModule } from './app.module';
import { loadMqttGatewayConfig } from './config/mqtt-gateway.config';

/** Loads config from FIELDLINK_CONFIG and the environment, then runs the gateway. */
export async function bootstrap(env: NodeJS.ProcessEnv = process.env): Promise<INestApplication | undefined> {
  let config;
  try {
    config = loadMqttGatewayConfig(env);
  } catch (error) {
    // Before config there is no logger yet; one JSON line on stderr keeps logs machine-readable.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'mqtt-gateway', msg: `invalid configuration: ${message}` })}\n`);
    process.exitCode = 2;
    return undefined;
  }
  const logger = createLogger('mqtt-gateway', config.log.level, config.gateway.instanceId);
  return runGateway(AppModule.forRoot(config, logger), config, logger);
}
