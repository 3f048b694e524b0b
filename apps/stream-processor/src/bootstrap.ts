import { type INestApplication } from '@nestjs/common';
import { runService } from '@fieldlink/service';
import { AppModule } from './app.module';
import { loadStreamProcessorConfig } from './config/stream-processor.config';

/** Loads config from FIELDLINK_CONFIG and the environment, serves health and metrics, then consumes. */
export function bootstrap(env: NodeJS.ProcessEnv = process.env): Promise<INestApplication | undefined> {
  return runService({ service: 'stream-processor', env, loadConfig: loadStreamProcessorConfig, module: (config, logger) => AppModule.forRoot(config, logger) });
}
