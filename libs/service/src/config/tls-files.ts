import { readFileSync } from 'node:fs';
import { type Static } from '@sinclair/typebox';
import { type TlsFilesSchema } from './service-config.schema';

export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
}

/** Reads the files a TLS config section names; paths only, so no secret sits in the YAML. */
export function readTlsFiles(tls: Static<typeof TlsFilesSchema>): TlsMaterial {
  return {
    ...(tls.caFile ? { ca: readFileSync(tls.caFile) } : {}),
    ...(tls.certFile ? { cert: readFileSync(tls.certFile) } : {}),
    ...(tls.keyFile ? { key: readFileSync(tls.keyFile) } : {}),
    rejectUnauthorized: tls.rejectUnauthorized,
  };
}
