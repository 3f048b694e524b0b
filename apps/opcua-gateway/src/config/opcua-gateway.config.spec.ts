import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceError } from '@fieldlink/service';
import { loadOpcuaGatewayConfig } from './opcua-gateway.config';
import { password } from './password';

function file(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'opcua-cfg-')), name);
  writeFileSync(path, text);
  return path;
}

const load = (yaml: string, env: NodeJS.ProcessEnv = {}) => loadOpcuaGatewayConfig({ FIELDLINK_CONFIG: file('c.yaml', yaml), ...env });

describe(loadOpcuaGatewayConfig.name, () => {
  it('takes comma-separated OPCUA_ENDPOINTS alone, naming each endpoint after its host and port', () => {
    const config = loadOpcuaGatewayConfig({ OPCUA_ENDPOINTS: 'opc.tcp://plc-1:4840, opc.tcp://10.0.0.7:48010/ua' });
    expect(config.runtime.endpoints.map((e) => [e.name, e.url, e.securityMode, e.identity.type])).toEqual([
      ['plc-1-4840', 'opc.tcp://plc-1:4840', 'None', 'anonymous'],
      ['10.0.0.7-48010', 'opc.tcp://10.0.0.7:48010/ua', 'None', 'anonymous'],
    ]);
    expect(config.opcua.pki.acceptUnknownServerCertificates).toBe(false);
    expect(config.opcua.sharding.enabled).toBe(true);
  });

  it('loads the example and the compose config, and refuses a writable pattern with an empty segment, naming its key', () => {
    for (const path of [join(__dirname, 'example.yaml'), join(__dirname, '..', '..', '..', '..', 'docker', 'opcua-gateway.yaml')]) {
      expect(loadOpcuaGatewayConfig({ FIELDLINK_CONFIG: path, LINE1_PASSWORD: 'x' }).runtime.endpoints.length).toBeGreaterThan(0);
    }
    expect(() => load('endpoints: [{url: "opc.tcp://x:1", writable: ["a//b"]}]')).toThrow(/endpoints\.0\.writable\.0/);
  });

  it('reads a username identity\'s password at load, from the environment it is given', () => {
    const yaml = 'endpoints: [{url: "opc.tcp://x:1", securityMode: Sign, securityPolicy: Basic256Sha256, identity: {type: username, username: op, passwordEnv: PLC_PW}}]';
    const [endpoint] = load(yaml, { PLC_PW: 'from-env' }).runtime.endpoints;
    expect(endpoint?.identity).toEqual({ type: 'username', username: 'op', passwordEnv: 'PLC_PW', password: 'from-env' });
    expect(() => load(yaml)).toThrow('config key "endpoints.0.identity.passwordEnv": environment variable PLC_PW is not set');
  });

  it('refuses securityMode None with any identity but anonymous, naming the key, before reading the password', () => {
    const username = 'identity: {type: username, username: op, passwordEnv: PLC_PW}';
    expect(() => load(`endpoints: [{url: "opc.tcp://x:1", ${username}}]`, { PLC_PW: 'from-env' })).toThrow(
      'config key "endpoints.0.securityMode": is None, which would use the username identity (endpoints.0.identity) over an unsigned, unencrypted channel',
    );
    // The security check comes first, so an operator fixes that before chasing the secret.
    expect(() => load(`endpoints: [{url: "opc.tcp://x:1", securityMode: None, ${username}}]`)).toThrow('config key "endpoints.0.securityMode": is None');
    const certificate = 'identity: {type: certificate, certificateFile: /c.pem, privateKeyFile: /k.pem}';
    expect(() => load(`endpoints: [{name: a, url: "opc.tcp://x:1"}, {url: "opc.tcp://y:1", ${certificate}}]`)).toThrow('config key "endpoints.1.securityMode": is None, which would use the certificate identity');
    expect(load('endpoints: [{url: "opc.tcp://x:1", identity: {type: anonymous}}]').runtime.endpoints[0]?.securityMode).toBe('None');
    expect(load(`endpoints: [{url: "opc.tcp://x:1", securityMode: Sign, securityPolicy: Basic256Sha256, ${username}}]`, { PLC_PW: 'pw' }).runtime.endpoints[0]?.identity.type).toBe('username');
  });

  it('refuses two endpoints of one name, naming the second', () => {
    expect(() => load('endpoints: [{name: a, url: "opc.tcp://x:1"}, {name: a, url: "opc.tcp://y:1"}]')).toThrow('config key "endpoints.1.name": "a" is also the name of endpoints.0');
  });

  it('refuses a browse pattern with an empty segment and a heartbeat too close to the session timeout', () => {
    expect(() => load('endpoints: [{url: "opc.tcp://x:1", browse: [{path: "a//b"}]}]')).toThrow('config key "endpoints.0.browse.0.path"');
    expect(() => load('opcua: {sharding: {sessionTimeoutMs: 3000, heartbeatIntervalMs: 1500}}')).toThrow('config key "opcua.sharding.heartbeatIntervalMs"');
  });
});

describe(password.name, () => {
  it('reads the password from its environment variable or its file, without trailing newlines', () => {
    expect(password({ passwordEnv: 'PLC_PW' }, 'k', { PLC_PW: 'from-env' })).toBe('from-env');
    expect(password({ passwordFile: file('pw', 'from-file\n') }, 'k', {})).toBe('from-file');
  });

  it('names the key, never the value, when the secret is missing or unreadable', () => {
    expect(() => password({ passwordFile: '/nonexistent/pw' }, 'endpoints.0.identity', {})).toThrow(ServiceError);
    expect(() => password({ passwordFile: '/nonexistent/pw' }, 'endpoints.0.identity', {})).toThrow('config key "endpoints.0.identity.passwordFile": cannot read /nonexistent/pw (ENOENT)');
    expect(() => password({}, 'endpoints.0.identity', {})).toThrow('needs passwordEnv or passwordFile');
  });
});
