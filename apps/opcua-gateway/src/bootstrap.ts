import { type INestApplication } from '@nestjs/common';
import { runService } from '@fieldlink/service';
import { AppModule } from './app.module';
import { loadOpcuaGatewayConfig } from './config/opcua-gateway.config';

/** Loads config from FIELDLINK_CONFIG and the environment, then runs the gateway. */
export function bootstrap(env: NodeJS.ProcessEnv = process.env): Promise<INestApplication | undefined> {
  return runService({ service: 'opcua-gateway', env, loadConfig: loadOpcuaGatewayConfig, module: (config, logger) => AppModule.forRoot(config, logger) });
}
