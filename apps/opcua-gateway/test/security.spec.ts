import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DeviceStatus } from '@fieldlink/schemas';
import { type Infra, type OpcuaAppCert, type ServiceProcess, makeOpcuaAppCert, readTopic, sharedInfra, waitFor } from '@fieldlink/testing';
import { AsyncuaPlc, type OpcuaGatewayUnderTest, startOpcuaGateway } from './support';

const PASSWORD = 'op-s3cret-Z9';
const WRONG_PASSWORD = 'wrong-password-Q7';

async function offline(g: OpcuaGatewayUnderTest, endpoint: string): Promise<DeviceStatus> {
  return waitFor(`an offline record for ${endpoint}`, async () =>
    (await readTopic(g.brokers, g.topic('device-status'))).map((r) => JSON.parse(r.payload ?? '') as DeviceStatus).find((s) => s.deviceId === endpoint && s.status === 'offline'),
  );
}

describe('opcua-gateway security against asyncua (SignAndEncrypt, Basic256Sha256, user name and password)', () => {
  let infra: Infra;
  let plc: AsyncuaPlc | undefined;
  let serverCert: OpcuaAppCert;
  const gateways: ServiceProcess[] = [];
  beforeAll(async () => {
    infra = await sharedInfra();
    serverCert = await makeOpcuaAppCert('test-plc', 'urn:fieldlink:test-plc');
    plc = await AsyncuaPlc.start({ objects: 1, cert: serverCert.der, key: serverCert.key, user: `operator:${PASSWORD}` });
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await plc?.kill();
  });

  const endpoint = (passwordEnv = 'PLC_PASSWORD') => ({
    name: 'secure-plc',
    url: plc?.url,
    securityMode: 'SignAndEncrypt',
    securityPolicy: 'Basic256Sha256',
    identity: { type: 'username', username: 'operator', passwordEnv },
  });

  const start = async (pkiDir: string, password: string) => {
    const g = await startOpcuaGateway(infra, {
      pkiDir,
      config: { opcua: { requireSecurity: true, reconnect: { initialDelayMs: 300, maxDelayMs: 2000 } }, endpoints: [endpoint()] },
      env: { PLC_PASSWORD: password },
      waitReady: false,
      // Neither password may appear in any line the gateway prints, shutdown included (the harness checks).
      secrets: [PASSWORD, WRONG_PASSWORD],
    });
    gateways.push(g.gateway);
    return g;
  };

  it('streams over SignAndEncrypt with Basic256Sha256 once the server certificate is in the PKI trust list', async () => {
    const pkiDir = mkdtempSync(join(tmpdir(), 'fieldlink-pki-'));
    mkdirSync(join(pkiDir, 'trusted', 'certs'), { recursive: true });
    copyFileSync(serverCert.cert, join(pkiDir, 'trusted', 'certs', 'test-plc.pem'));
    const g = await start(pkiDir, PASSWORD);
    await g.gateway.waitReady();
    await waitFor('telemetry over the secure channel', async () => (await readTopic(g.brokers, g.topic('telemetry'))).some((r) => r.key === 'secure-plc/Pump1'), { timeoutMs: 30_000 });
    expect(plc?.sessions).toBeGreaterThanOrEqual(1);
    // The client's own certificate was made in the configured PKI folder, not under the home directory.
    expect(existsSync(join(pkiDir, 'own', 'certs', 'client_certificate.pem'))).toBe(true);
    await g.gateway.stop();
  });

  it('rejects an untrusted server certificate with a clear error, keeping it in rejected/ for an operator to trust', async () => {
    const pkiDir = mkdtempSync(join(tmpdir(), 'fieldlink-pki-'));
    const g = await start(pkiDir, PASSWORD);
    const status = await offline(g, 'secure-plc');
    expect(status.detail).toMatchObject({ reason: 'certificate_untrusted' });
    expect(String(status.detail?.['message'])).toContain(`move it to ${pkiDir}/trusted/certs`);
    expect(g.gateway.logs).toContain('is not trusted');
    expect(readdirSync(join(pkiDir, 'rejected')).filter((f) => f.startsWith('test-plc')).length).toBeGreaterThanOrEqual(1);
    expect(await g.gateway.metric('fieldlink_opcua_endpoint_connected', { endpoint: 'secure-plc' })).toBe(0);
    expect((await readTopic(g.brokers, g.topic('telemetry'))).length).toBe(0);
    await g.gateway.stop();
  });

  it('fails closed on a wrong password: no session, no data, a clear error that does not echo the password', async () => {
    const pkiDir = mkdtempSync(join(tmpdir(), 'fieldlink-pki-'));
    mkdirSync(join(pkiDir, 'trusted', 'certs'), { recursive: true });
    copyFileSync(serverCert.cert, join(pkiDir, 'trusted', 'certs', 'test-plc.pem'));
    const g = await start(pkiDir, WRONG_PASSWORD);
    const status = await offline(g, 'secure-plc');
    expect(status.detail).toMatchObject({ reason: 'auth_failed' });
    expect(String(status.detail?.['message'])).toContain('refused the user identity');
    expect(g.gateway.logs).not.toContain(WRONG_PASSWORD);
    expect((await readTopic(g.brokers, g.topic('telemetry'))).length).toBe(0);
    expect(await g.gateway.metric('fieldlink_opcua_connect_failures_total', { endpoint: 'secure-plc', reason: 'auth_failed' })).toBeGreaterThanOrEqual(1);
    await g.gateway.stop();
  });
});
