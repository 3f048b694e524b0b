import { type INestApplication } from '@nestjs/common';
import { runService } from '@fieldlink/service';
import { AppModule } from './app.module';
import { loadCoapGatewayConfig } from './config/coap-gateway.config';

/** Loads config from FIELDLINK_CONFIG and the environment, then runs the gateway. */
export function bootstrap(env: NodeJS.ProcessEnv = process.env): Promise<INestApplication | undefined> {
  return runService({ service: 'coap-gateway', env, loadConfig: loadCoapGatewayConfig, module: (config, logger) => AppModule.forRoot(config, logger) });
}
