import { join } from 'node:path';
import { type CoreConfig } from '../config/core-config.schema';

/** The gateway's spool directory, on its persistent volume; other state that must survive a restart lives beside the spool there. */
export function spoolDirectory(config: Pick<CoreConfig, 'spool' | 'gateway'>, service: string): string {
  return config.spool.dir ?? join(process.cwd(), '.fieldlink-spool', `${service}-${config.gateway.instanceId}`);
}
