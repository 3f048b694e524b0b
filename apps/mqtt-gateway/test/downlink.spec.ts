import { type CommandResult, type DeadLetter } from '@fieldlink/schemas';
import { mosquittoPub, mosquittoSub, produce, type ServiceProcess, sharedInfra, startMqttGateway, waitFor, waitForRecords } from '@fieldlink/testing';

describe('mqtt-gateway downlink', () => {
  let gateway: ServiceProcess | undefined;
  let closeSub: (() => void) | undefined;
  afterEach(async () => {
    closeSub?.();
    await gateway?.stop();
  });

  /** A gateway, a device it serves and a subscriber on the device's command topic. */
  async function gatewayServing(name: string, config?: (root: string) => Record<string, unknown>) {
    const infra = await sharedInfra();
    const started = await startMqttGateway(infra, config ? { config } : {});
    gateway = started.gateway;
    const device = `${started.root}-${name}`;
    const sub = await mosquittoSub(infra.mqttPort, `${started.root}/commands/${device}`);
    closeSub = sub.close;
    // A command goes to the gateway serving the device, so the device speaks first.
    await mosquittoPub(infra.mqttPort, `${started.root}/sensors/${device}/data`, Buffer.from('{"t":1}'));
    await waitForRecords(started.brokers, started.topic('devices'), 1);
    return { started, device, sub };
  }

  it('publishes a command for device X on commands/X and reports delivered, expired and invalid commands', async () => {
    const { started, device, sub } = await gatewayServing('pump');

    const command = { schemaVersion: 1, id: `${started.root}-cmd-1`, deviceId: device, action: 'shutdown', args: { reason: 'overheat' } };
    const expired = { ...command, id: `${started.root}-cmd-2`, expiresAt: '2020-01-01T00:00:00.000Z' };
    await produce(started.brokers, started.topic('commands'), device, JSON.stringify(command));
    await produce(started.brokers, started.topic('commands'), device, JSON.stringify(expired));
    await produce(started.brokers, started.topic('commands'), device, '{"action": 42}');

    const [line] = await waitFor('the command on MQTT', () => (sub.lines.length > 0 ? sub.lines : undefined));
    const body = JSON.parse(line?.slice(line.indexOf(' ') + 1) ?? '') as Record<string, unknown>;
    expect(body).toEqual({ id: command.id, action: 'shutdown', args: { reason: 'overheat' } });

    const results = (await waitForRecords(started.brokers, started.topic('command-results'), 2)).map(
      (r) => ({ key: r.key, result: JSON.parse(r.payload ?? '') as CommandResult }),
    );
    expect(results.map(({ key, result }) => [key, result.id, result.status])).toEqual([
      [device, command.id, 'delivered'],
      [device, expired.id, 'expired'],
    ]);
    expect(sub.lines).toHaveLength(1); // the expired one was never sent

    const [letter] = await waitForRecords(started.brokers, started.topic('dead-letter'), 1);
    const dead = JSON.parse(letter?.payload ?? '') as DeadLetter;
    expect(dead.reason.code).toBe('FL_SCHEMA_INVALID_ENVELOPE');
    expect(Buffer.from(dead.payload.data, 'base64').toString()).toBe('{"action": 42}');
  });

  it('publishes a command record produced twice once, with one result (kcat producing the same record again)', async () => {
    const { started, device, sub } = await gatewayServing('valve');

    const command = JSON.stringify({ schemaVersion: 1, id: `${started.root}-stop`, deviceId: device, action: 'stop' });
    await produce(started.brokers, started.topic('commands'), device, command);
    await produce(started.brokers, started.topic('commands'), device, command);
    // One device's commands are handled in order: once the next one is out, the copy has had its turn.
    const next = { schemaVersion: 1, id: `${started.root}-start`, deviceId: device, action: 'start' };
    await produce(started.brokers, started.topic('commands'), device, JSON.stringify(next));
    const results = await waitFor('the result of the next command', async () => {
      const got = (await waitForRecords(started.brokers, started.topic('command-results'), 1)).map((r) => JSON.parse(r.payload ?? '') as CommandResult);
      return got.some((r) => r.id === next.id) ? got : undefined;
    });
    expect(results.map((r) => [r.id, r.status])).toEqual([
      [`${started.root}-stop`, 'delivered'],
      [next.id, 'delivered'],
    ]);
    const ids = () => sub.lines.map((line) => (JSON.parse(line.slice(line.indexOf(' ') + 1)) as { id: string }).id);
    // A copy published would come before the next command, which the device gets last.
    await waitFor('the next command on MQTT', () => ids().includes(next.id));
    expect(ids()).toEqual([`${started.root}-stop`, next.id]);
    expect(await started.gateway.metric('fieldlink_commands_total', { status: 'duplicate' })).toBe(1);
  });

  it('does not publish a copy produced after the gateway restarted: it reads what was delivered back from command-results', async () => {
    const { started, device, sub } = await gatewayServing('gate');
    const results = (count: number) => waitForRecords(started.brokers, started.topic('command-results'), count).then((rs) => rs.map((r) => JSON.parse(r.payload ?? '') as CommandResult));

    const command = JSON.stringify({ schemaVersion: 1, id: `${started.root}-open`, deviceId: device, action: 'open' });
    await produce(started.brokers, started.topic('commands'), device, command);
    await results(1);
    await started.gateway.stop();
    await started.gateway.spawn();
    await produce(started.brokers, started.topic('commands'), device, command);
    const next = { schemaVersion: 1, id: `${started.root}-close`, deviceId: device, action: 'close' };
    await produce(started.brokers, started.topic('commands'), device, JSON.stringify(next));
    const all = await waitFor('the result of the next command', async () => {
      const got = await results(1);
      return got.some((r) => r.id === next.id) && got;
    });
    expect(all.map((r) => [r.id, r.status])).toEqual([
      [`${started.root}-open`, 'delivered'],
      [next.id, 'delivered'],
    ]);
    const ids = () => sub.lines.map((line) => (JSON.parse(line.slice(line.indexOf(' ') + 1)) as { id: string }).id);
    await waitFor('the next command on MQTT', () => ids().includes(next.id));
    expect(ids()).toEqual([`${started.root}-open`, next.id]);
    expect(await started.gateway.metric('fieldlink_commands_total', { status: 'duplicate' })).toBe(1);
  });

  it('publishes only the actions its mapping accepts; another gets failed FL_COMMAND_ACTION_NOT_ALLOWED', async () => {
    const { started, device, sub } = await gatewayServing('door', (root) => ({
      mappings: [{ name: 'telemetry', topic: `${root}/sensors/{deviceId}/data`, actions: ['open', 'close'] }],
    }));
    const send = (action: string) => produce(started.brokers, started.topic('commands'), device, JSON.stringify({ schemaVersion: 1, id: `${started.root}-${action}`, deviceId: device, action }));
    await send('open');
    await send('format-disk');
    await send('close');
    const results = await waitFor('three results', async () => {
      const got = (await waitForRecords(started.brokers, started.topic('command-results'), 1)).map((r) => JSON.parse(r.payload ?? '') as CommandResult);
      return got.length >= 3 && got;
    });
    expect(results.map((r) => [r.id.replace(`${started.root}-`, ''), r.status, r.code])).toEqual([
      ['open', 'delivered', undefined],
      ['format-disk', 'failed', 'FL_COMMAND_ACTION_NOT_ALLOWED'],
      ['close', 'delivered', undefined],
    ]);
    const actions = () => sub.lines.map((line) => (JSON.parse(line.slice(line.indexOf(' ') + 1)) as { action: string }).action);
    await waitFor('the last command on MQTT', () => actions().includes('close'));
    expect(actions()).toEqual(['open', 'close']);
  });
});
