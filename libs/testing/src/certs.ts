import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './processes';

export interface KeyPair {
  cert: string;
  key: string;
}

/** Paths of a throw-away PKI made with openssl for one test run; never committed. */
export interface TestPki {
  dir: string;
  /** The CA that signed the server and the clients. */
  ca: string;
  /** A CA that signed nothing here: trusting it instead of `ca` must fail. */
  rogueCa: string;
  /** For 127.0.0.1 and localhost. */
  server: KeyPair;
  /** The server's key and certificate in one PEM file, as a Kafka PEM keystore wants them. */
  serverKeystore: string;
  clients: Record<string, KeyPair>;
  /** A client certificate of `ca` whose validity ended in 2020. */
  expired: KeyPair;
}

const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function openssl(dir: string, args: string[]): Promise<void> {
  const result = await run('openssl', args, { cwd: dir, timeoutMs: 30_000 });
  if (result.code !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr.trim()}`);
}

async function selfSigned(dir: string, name: string): Promise<string> {
  await openssl(dir, ['req', '-x509', ...KEY, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`]);
  return join(dir, `${name}.pem`);
}

async function signed(dir: string, name: string, extensions: string): Promise<KeyPair> {
  await openssl(dir, ['req', ...KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  writeFileSync(join(dir, `${name}.ext`), extensions);
  await openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`]);
  return { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) };
}

/** An already expired client certificate: `openssl ca` is the tool that takes explicit dates. */
async function expired(dir: string, name: string): Promise<KeyPair> {
  await openssl(dir, ['req', ...KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    ['[ca]', 'default_ca = test', '[test]', `database = ${dir}/index.txt`, `new_certs_dir = ${dir}`, `serial = ${dir}/serial`, 'default_md = sha256', 'policy = any', '[any]', 'commonName = supplied', ''].join('\n'),
  );
  await openssl(dir, ['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', `${name}.csr`, '-out', `${name}.pem`, '-notext', '-startdate', '20200101000000Z', '-enddate', '20200102000000Z']);
  return { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) };
}

/** A CA, a server certificate for 127.0.0.1, one client certificate per name (CN = name), and the bad cases. */
export async function makePki(clientNames: string[]): Promise<TestPki> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldlink-pki-'));
  const ca = await selfSigned(dir, 'ca');
  const rogueCa = await selfSigned(dir, 'rogue-ca');
  const server = await signed(dir, 'server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  const clients: Record<string, KeyPair> = {};
  for (const name of clientNames) clients[name] = await signed(dir, name, 'extendedKeyUsage=clientAuth\n');
  const serverKeystore = join(dir, 'server-keystore.pem');
  writeFileSync(serverKeystore, Buffer.concat([readFileSync(server.key), readFileSync(server.cert)]));
  return { dir, ca, rogueCa, server, serverKeystore, clients, expired: await expired(dir, 'expired-device') };
}

/** A self-signed OPC UA application instance certificate (RSA 2048), with its der copy for servers that want DER. */
export interface OpcuaAppCert extends KeyPair {
  der: string;
}

/**
 * Made with openssl, as OPC UA Part 6 §6.2.2 wants it: the ApplicationUri in subjectAltName beside the
 * host's IP and name, RSA (the Basic256Sha256 policy signs and encrypts with RSA keys), and key usages
 * for signing and encryption.
 */
export async function makeOpcuaAppCert(name: string, applicationUri: string): Promise<OpcuaAppCert> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldlink-opcua-cert-'));
  const extensions = [
    `subjectAltName = URI:${applicationUri}, IP:127.0.0.1, DNS:localhost`,
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature, nonRepudiation, keyEncipherment, dataEncipherment',
    'extendedKeyUsage = serverAuth, clientAuth',
  ];
  const addext = extensions.flatMap((e) => ['-addext', e]);
  await openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}/O=fieldlink tests`, ...addext]);
  await openssl(dir, ['x509', '-in', `${name}.pem`, '-outform', 'der', '-out', `${name}.der`]);
  return { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`), der: join(dir, `${name}.der`) };
}

/**
 * A distinctive piece of a PEM private key, to give a SecretGuard: the second line of its base64
 * body, since the first mostly spells the ASN.1 header every key of its type shares.
 */
export function keySecret(pemFile: string): string {
  const body = readFileSync(pemFile, 'utf8').split('\n').filter((line) => line !== '' && !line.startsWith('-----'));
  const line = body[1] ?? body[0];
  if (!line) throw new Error(`${pemFile} holds no PEM body`);
  return line;
}
