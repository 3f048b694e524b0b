import { readFileSync } from 'node:fs';
import { ServiceError, ServiceErrorCode } from '@fieldlink/service';

/** A config error that names its key, so startup exits 2 with the key to fix. */
export const invalid = (key: string, why: string) => new ServiceError(ServiceErrorCode.ConfigInvalid, `config key "${key}": ${why}`);

/** The password of a username identity, from its environment variable or file; never echoed. */
export function password(identity: { passwordEnv?: string; passwordFile?: string }, key: string, env: NodeJS.ProcessEnv): string {
  if (identity.passwordEnv && identity.passwordFile) throw invalid(key, 'give passwordEnv or passwordFile, not both');
  if (identity.passwordEnv) {
    const value = env[identity.passwordEnv];
    if (!value) throw invalid(`${key}.passwordEnv`, `environment variable ${identity.passwordEnv} is not set`);
    return value;
  }
  if (identity.passwordFile) {
    try {
      return readFileSync(identity.passwordFile, 'utf8').replace(/[\r\n]+$/, '');
    } catch (error) {
      const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'unreadable';
      throw invalid(`${key}.passwordFile`, `cannot read ${identity.passwordFile} (${code})`);
    }
  }
  throw invalid(key, 'a username identity needs passwordEnv or passwordFile');
}
