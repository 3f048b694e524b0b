import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceError } from '@fieldlink/service';
import { writeConfig } from '@fieldlink/testing';
import { loadCoapGatewayConfig } from './coap-gateway.config';

describe(loadCoapGatewayConfig.name, () => {
  it('loads the example, and defaults to sensors/{deviceId} on 5683 with overflow reject', () => {
    const example = loadCoapGatewayConfig({ FIELDLINK_CONFIG: join(__dirname, 'example.yaml') });
    expect(example.routes.map((r) => r.path)).toEqual(['sensors/{deviceId}', 'sensors', 'plant/boiler/temperature']);
    const defaults = loadCoapGatewayConfig({ COAP_PORT: '5700' });
    expect(defaults.coap).toMatchObject({ port: 5700, host: '::', ackTimeoutMs: 2000, maxRetransmit: 4, piggybackReplyMs: 50, maxBlockTransfers: 1000, auth: { queryParameter: 'token', tokenOption: 65001 } });
    expect(defaults.coap).toMatchObject({ maxBlockTransferBytes: 32 * 1024 ** 2, maxLastReadings: 10_000, maxLastReadingsBytes: 64 * 1024 ** 2, maxObservers: 100_000, maxCachedReplies: 20_000, receiveBufferBytes: 4 * 1024 ** 2 });
    expect(defaults.commands).toEqual({ path: 'commands/{deviceId}', persistObservations: true });
    expect(defaults.routes).toMatchObject([
      { name: 'sensors', path: 'sensors/{deviceId}', deviceId: '{deviceId}' },
      { name: 'sensors-body', path: 'sensors', deviceIdField: 'device_id' },
    ]);
    expect(defaults.spool.overflow).toBe('reject');
  });

  it('builds the route table, the command resource and the device tokens once, for the adapter to use', () => {
    const tokens = join(mkdtempSync(join(tmpdir(), 'coap-tokens-')), 'tokens');
    writeFileSync(tokens, 'pump-1 abc\n');
    const { runtime } = loadCoapGatewayConfig({ COAP_TOKEN_FILE: tokens });
    expect(runtime.routes.match('/sensors/pump-1')?.deviceId).toBe('pump-1');
    expect(runtime.commandResource.match('/commands/pump-1')).toEqual({ deviceId: 'pump-1' });
    expect(runtime.tokens?.check('pump-1', 'abc')).toBe('ok');
    expect(loadCoapGatewayConfig({}).runtime.tokens).toBeUndefined();
  });

  it('names the key of a route or command path that cannot give a deviceId', () => {
    const env = { FIELDLINK_CONFIG: writeConfig({ routes: [{ name: 'r', path: 'sensors/data' }] }) };
    expect(() => loadCoapGatewayConfig(env)).toThrow(ServiceError);
    expect(() => loadCoapGatewayConfig(env)).toThrow('config key "routes.0.path": must capture {deviceId}');
    const commands = { FIELDLINK_CONFIG: writeConfig({ commands: { path: 'commands' } }) };
    expect(() => loadCoapGatewayConfig(commands)).toThrow('config key "commands.path": must capture {deviceId}');
  });

  it('refuses a route decoder or command, which CoAP would ignore (the Content-Format picks the decoder, commands.payload shapes notifications)', () => {
    for (const key of ['decoder', 'command']) {
      const env = { FIELDLINK_CONFIG: writeConfig({ routes: [{ name: 'r', path: 'sensors/{deviceId}', [key]: key === 'decoder' ? 'cbor' : { payload: {} } }] }) };
      expect(() => loadCoapGatewayConfig(env)).toThrow(`config key "routes.0.${key}" is not a known setting`);
    }
  });

  it('refuses coap.maxBlockTransferBytes below ingest.maxPayloadBytes: no upload of the largest size could finish', () => {
    const env = { FIELDLINK_CONFIG: writeConfig({ coap: { maxBlockTransferBytes: 1000 }, ingest: { maxPayloadBytes: 2000 } }) };
    expect(() => loadCoapGatewayConfig(env)).toThrow('config key "coap.maxBlockTransferBytes": must be at least ingest.maxPayloadBytes (2000)');
  });

  it('takes the token file from COAP_TOKEN_FILE, and names the key when it cannot be read or parsed', () => {
    const tokens = join(mkdtempSync(join(tmpdir(), 'coap-tokens-')), 'tokens');
    writeFileSync(tokens, 'pump-1 abc\n');
    expect(loadCoapGatewayConfig({ COAP_TOKEN_FILE: tokens }).coap.auth.tokenFile).toBe(tokens);
    expect(() => loadCoapGatewayConfig({ COAP_TOKEN_FILE: `${tokens}.missing` })).toThrow(/config key "coap.auth.tokenFile": ENOENT/);
    writeFileSync(tokens, 'pump-1\n');
    expect(() => loadCoapGatewayConfig({ COAP_TOKEN_FILE: tokens })).toThrow(/config key "coap.auth.tokenFile": .*tokens:1: expected "<deviceId> <token>"/);
  });

  it('takes the token option from the experimental range and refuses one a cache would not key on, naming the key', () => {
    expect(loadCoapGatewayConfig({ FIELDLINK_CONFIG: writeConfig({ coap: { auth: { tokenOption: 65009 } } }) }).coap.auth.tokenOption).toBe(65009);
    expect(() => loadCoapGatewayConfig({ FIELDLINK_CONFIG: writeConfig({ coap: { auth: { tokenOption: 11 } } }) })).toThrow('config key "coap.auth.tokenOption" must be >= 65000');
    // 65020 = 0xFDFC: (n & 0x1e) === 0x1c, NoCacheKey (RFC 7252 §5.4.6).
    expect(() => loadCoapGatewayConfig({ FIELDLINK_CONFIG: writeConfig({ coap: { auth: { tokenOption: 65020 } } }) })).toThrow('config key "coap.auth.tokenOption": 65020 is a NoCacheKey option');
  });
});
