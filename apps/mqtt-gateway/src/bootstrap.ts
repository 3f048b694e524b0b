import { type INestApplication } from '@nestjs/common';
import { runService } from '@fieldlink/service';
import { AppModule } from './app.module';
import { loadMqttGatewayConfig } from './config/mqtt-gateway.config';

/** Loads config from FIELDLINK_CONFIG and the environment, then runs the gateway. */
export function bootstrap(env: NodeJS.ProcessEnv = process.env): Promise<INestApplication | undefined> {
  return runService({ service: 'mqtt-gateway', env, loadConfig: loadMqttGatewayConfig, module: (config, logger) => AppModule.forRoot(config, logger) });
}
