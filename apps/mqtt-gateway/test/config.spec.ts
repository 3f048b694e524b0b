import { ServiceProcess, writeConfig } from '@fieldlink/testing';

async function startupError(config: object | undefined, env: Record<string, string> = {}, secrets: string[] = []): Promise<{ code: number | null; logs: string }> {
  const service = await ServiceProcess.start(
    'mqtt-gateway',
    { ...(config ? { FIELDLINK_CONFIG: writeConfig(config) } : {}), ...env },
    { waitReady: false, secrets },
  );
  const code = await service.waitExit();
  return { code, logs: service.logs };
}

describe('mqtt-gateway config validation', () => {
  it('refuses an unknown key and names it', async () => {
    const { code, logs } = await startupError({ mqtt: { urll: 'mqtt://x' } });
    expect(code).toBe(2);
    expect(logs).toContain('config key \\"mqtt.urll\\" is not a known setting');
  });

  it('refuses a mapping without its required topic and names the key', async () => {
    const { code, logs } = await startupError({ mappings: [{ name: 'm' }] });
    expect(code).toBe(2);
    expect(logs).toContain('config key \\"mappings.0.topic\\" is required');
  });

  it('refuses a value of the wrong type, naming the key without echoing the secret', async () => {
    // waitExit fails the test if any line held the value.
    const { code, logs } = await startupError({ mqtt: { password: 918273645 } }, {}, ['918273645']);
    expect(code).toBe(2);
    expect(logs).toContain('config key \\"mqtt.password\\" (env MQTT_PASSWORD) must be string');
    expect(logs).not.toContain('918273645');
  });

  it('refuses a bad env override and names the variable', async () => {
    const { code, logs } = await startupError(undefined, { HTTP_PORT: 'eighty' });
    expect(code).toBe(2);
    expect(logs).toContain('config key \\"http.port\\" (env HTTP_PORT) must be an integer');
  });

  it('refuses a topic template without {deviceId}', async () => {
    const { code, logs } = await startupError({ mappings: [{ name: 'm', topic: 'sensors/+/data' }] });
    expect(code).toBe(2);
    expect(logs).toContain('config key \\"mappings.0.topic\\": must capture {deviceId}');
  });

  it('refuses a file that does not exist', async () => {
    const { code, logs } = await startupError(undefined, { FIELDLINK_CONFIG: '/nonexistent/fieldlink.yaml' });
    expect(code).toBe(2);
    expect(logs).toContain('cannot read config file /nonexistent/fieldlink.yaml');
  });
});
