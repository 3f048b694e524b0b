import { type INestApplication } from '@nestjs/common';
import { runService } from '@fieldlink/service';
import { AppModule } from './app.module';
import { type DdsRuntimeConfig, loadDdsGatewayConfig } from './config/dds-gateway.config';
import { DdsParticipant } from './session/participant';

/**
 * Loads config from FIELDLINK_CONFIG and the environment, creates the DDS participant (whose
 * XML only RTI can check, so a bad one exits 2 like a bad YAML key), then runs the gateway.
 */
export function bootstrap(env: NodeJS.ProcessEnv = process.env): Promise<INestApplication | undefined> {
  let participant: DdsParticipant | undefined;
  const loadConfig = (e: NodeJS.ProcessEnv): DdsRuntimeConfig => {
    const config = loadDdsGatewayConfig(e);
    participant = DdsParticipant.open(config.dds);
    return config;
  };
  return runService({
    service: 'dds-gateway',
    env,
    loadConfig,
    module: (config, logger) => AppModule.forRoot(config, participant as DdsParticipant, logger),
  });
}
