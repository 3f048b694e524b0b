import { type BatchConsumerOptions, type ConsumedRecord, type KafkaService, type OutgoingRecord } from '@fieldlink/kafka';
import { type Command, type CommandResult, type DeviceRecord, topicMap } from '@fieldlink/schemas';
import pino from 'pino';
import { Registry } from 'prom-client';
import { type DeviceRegistry } from '../devices/device-registry';
import { type DeadLetterSubject, type DeadLetterWriter } from '../dead-letter/dead-letter.writer';
import { IngestMetrics } from '../observability/ingest.metrics';
import { CommandDispatcher, type CommandTarget, type DeliveryOutcome } from './command-dispatcher';
import { type DeliveredCommands } from './command-history';

const topics = topicMap();
const device = (deviceId: string, gateway: string, protocol: DeviceRecord['protocol'] = 'mqtt'): DeviceRecord => ({
  schemaVersion: 1,
  deviceId,
  protocol,
  gateway,
  ref: `t/${deviceId}`,
  route: 'r',
  firstSeen: '2026-01-01T00:00:00.000Z',
  lastSeen: '2026-01-01T00:00:00.000Z',
});
const command = (over: Partial<Command> & { deviceId: string }): Command => ({ schemaVersion: 1, id: `c-${over.deviceId}`, action: 'reboot', ...over });
const consumed = (commands: Command[]): ConsumedRecord[] =>
  commands.map((c, i) => ({ topic: topics.commands, partition: 0, offset: String(i), key: c.deviceId, value: Buffer.from(JSON.stringify(c)), headers: {}, timestamp: 0 }));

const delivered: DeliveryOutcome = { status: 'delivered' };
const HANDOVER_GRACE_MS = 50;

/** command-results as read back: ids another instance (or an earlier run) delivered are seeded in. */
class MemoryHistory implements DeliveredCommands {
  readonly ids = new Set<string>();
  /** Commands some instance wrote any result for. */
  readonly answeredIds = new Set<string>();
  start = () => Promise.resolve();
  has = (deviceId: string, id: string) => Promise.resolve(this.ids.has(`${deviceId}/${id}`));
  answered = (deviceId: string, id: string) => Promise.resolve(this.answeredIds.has(`${deviceId}/${id}`));
  add = (deviceId: string, id: string) => void this.ids.add(`${deviceId}/${id}`);
}

/** Kafka and the registry as fakes: the dispatcher's decisions are pure logic over them. */
function setup(devices: DeviceRecord[], deliver: (c: Command) => Promise<DeliveryOutcome>, bounds: { forgets: boolean; maxDevices: number } = { forgets: false, maxDevices: 100_000 }, deliverTimeoutMs = 5000, servedAs = 'gw-1') {
  const handlers = new Map<string, BatchConsumerOptions['handle']>();
  const sent: OutgoingRecord[] = [];
  const kafkaDown = { sends: 0 };
  const kafka = {
    createConsumer: (options: BatchConsumerOptions) => {
      handlers.set(options.name, options.handle);
      return { start: () => Promise.resolve() };
    },
    producer: {
      send: (r: OutgoingRecord) => {
        if (kafkaDown.sends > 0) {
          kafkaDown.sends--;
          return Promise.reject(new Error('Kafka away'));
        }
        return Promise.resolve(void sent.push(r));
      },
    },
  } as unknown as KafkaService;
  const taken: ((deviceId: string) => void)[] = [];
  const registry = {
    ...bounds,
    owner: (id: string) => Promise.resolve(devices.find((d) => d.deviceId === id)),
    onTaken: (listener: (deviceId: string) => void) => void taken.push(listener),
  } as unknown as DeviceRegistry;
  /** This instance takes the device over, as its registry would on the device's next message here. */
  const takeOver = (deviceId: string) => {
    const i = devices.findIndex((d) => d.deviceId === deviceId);
    devices[i] = { ...(devices[i] ?? device(deviceId, servedAs)), gateway: servedAs };
    taken.forEach((listener) => listener(deviceId));
  };
  const target: CommandTarget = { protocol: 'mqtt', deliver };
  const history = new MemoryHistory();
  const deadLettered: DeadLetterSubject[] = [];
  const deadLetters = {
    write: (subject: DeadLetterSubject) => {
      deadLettered.push(subject);
      return Promise.resolve({ status: 'dead-lettered', code: 'x', message: 'x' });
    },
  } as unknown as DeadLetterWriter;
  const metrics = new IngestMetrics(new Registry());
  const dispatcher = new CommandDispatcher(
    kafka,
    target,
    registry,
    history,
    deadLetters,
    { topics, instanceId: 'gw-1', servedAs, ownerGroupId: 'own', routerGroupId: 'router', deliverTimeoutMs, actionsByRoute: new Map([['valves', ['open', 'close']]]), handoverGraceMs: HANDOVER_GRACE_MS },
    metrics,
    pino({ level: 'silent' }),
  );
  const results = () => sent.map((r) => JSON.parse(String(r.value)) as CommandResult);
  const run = async (name: 'commands-consumer' | 'command-router', commands: Command[]) => {
    await dispatcher.start();
    await handlers.get(name)?.(consumed(commands));
  };
  return { run, results, handlers, dispatcher, deadLettered, metrics, kafkaDown, history, takeOver };
}

describe(CommandDispatcher.name, () => {
  it('delivers, once it takes a device over, the commands its previous gateway never answered, in order and after the grace', async () => {
    const deliveredTo: string[] = [];
    const { run, results, history, takeOver } = setup([device('plc-1', 'gw-dead')], (c) => {
      deliveredTo.push(c.id);
      return Promise.resolve(delivered);
    });
    await run('commands-consumer', [command({ deviceId: 'plc-1', id: 'a' }), command({ deviceId: 'plc-1', id: 'answered' }), command({ deviceId: 'plc-1', id: 'b' })]);
    expect(deliveredTo).toEqual([]);
    history.answeredIds.add('plc-1/answered'); // the previous gateway got to this one
    const began = Date.now();
    takeOver('plc-1');
    await run('commands-consumer', [command({ deviceId: 'plc-1', id: 'after' })]);
    expect(Date.now() - began).toBeGreaterThanOrEqual(HANDOVER_GRACE_MS - 5);
    expect(deliveredTo).toEqual(['a', 'b', 'after']);
    expect(results().map((r) => [r.id, r.status])).toEqual([
      ['a', 'delivered'],
      ['b', 'delivered'],
      ['after', 'delivered'],
    ]);
  });

  it('as a member of a command group, delivers the commands of the devices the registry names the group for, and names itself in the result', async () => {
    const deliveredTo: string[] = [];
    const { run, results } = setup(
      [device('d-group', 'line-1'), device('d-other', 'gw-9')],
      (c) => {
        deliveredTo.push(c.deviceId);
        return Promise.resolve(delivered);
      },
      undefined,
      5000,
      'line-1',
    );
    await run('commands-consumer', [command({ deviceId: 'd-group' }), command({ deviceId: 'd-other' }), command({ deviceId: 'd-group', id: 'named', gateway: 'line-1' })]);
    expect(deliveredTo).toEqual(['d-group', 'd-group']);
    expect(results().map((r) => [r.deviceId, r.status, r.gateway])).toEqual([
      ['d-group', 'delivered', 'gw-1'],
      ['d-group', 'delivered', 'gw-1'],
    ]);
  });

  it('starts no command for a device while its previous one timed out and is still in progress', async () => {
    const started: string[] = [];
    let finishFirst: ((o: DeliveryOutcome) => void) | undefined;
    const { run, results } = setup(
      [device('plc-1', 'gw-1')],
      (c) => {
        started.push(c.id);
        return c.id === 'slow' ? new Promise((resolve) => (finishFirst = resolve)) : Promise.resolve(delivered);
      },
      { forgets: false, maxDevices: 100 },
      50,
    );
    await run('commands-consumer', [command({ deviceId: 'plc-1', id: 'slow' }), command({ deviceId: 'plc-1', id: 'next' })]);
    expect(started).toEqual(['slow']);
    expect(results().map((r) => [r.id, r.status, r.detail])).toEqual([
      ['slow', 'failed', 'no acknowledgement within 50 ms'],
      ['next', 'failed', 'not sent: the previous command to this device timed out and is still in progress'],
    ]);
    finishFirst?.(delivered);
    await run('commands-consumer', [command({ deviceId: 'plc-1', id: 'later' })]);
    expect(started).toEqual(['slow', 'later']);
    expect(results().at(-1)).toMatchObject({ id: 'later', status: 'delivered' });
  });

  it('sends only the actions its device\'s route accepts; another gets failed FL_COMMAND_ACTION_NOT_ALLOWED', async () => {
    const sentActions: string[] = [];
    const valve = { ...device('v-1', 'gw-1'), route: 'valves' };
    const { run, results } = setup([valve, device('any-1', 'gw-1')], (c) => {
      sentActions.push(`${c.deviceId}:${c.action}`);
      return Promise.resolve(delivered);
    });
    await run('commands-consumer', [command({ deviceId: 'v-1', id: 'a', action: 'open' }), command({ deviceId: 'v-1', id: 'b', action: 'format-disk' }), command({ deviceId: 'any-1', action: 'format-disk' })]);
    expect(sentActions.sort()).toEqual(['any-1:format-disk', 'v-1:open']);
    expect(results().map((r) => [r.id, r.status, r.code]).sort()).toEqual([
      ['a', 'delivered', undefined],
      ['b', 'failed', 'FL_COMMAND_ACTION_NOT_ALLOWED'],
      ['c-any-1', 'delivered', undefined],
    ]);
  });

  it('does not deliver a command that command-results says reached its device (another instance, or before a restart)', async () => {
    const deliveredTo: string[] = [];
    const { run, results, history, metrics } = setup([device('mine', 'gw-1')], (c) => {
      deliveredTo.push(c.id);
      return Promise.resolve(delivered);
    });
    history.ids.add('mine/c-old');
    await run('commands-consumer', [command({ deviceId: 'mine', id: 'c-old' }), command({ deviceId: 'mine', id: 'c-new' })]);
    expect(deliveredTo).toEqual(['c-new']);
    expect(results().map((r) => r.id)).toEqual(['c-new']);
    expect(history.ids.has('mine/c-new')).toBe(true);
    expect((await metrics.commands.get()).values.find((v) => v.labels['status'] === 'duplicate')?.value).toBe(1);
  });

  it('delivers only the commands of devices the registry says this instance serves', async () => {
    const deliveredTo: string[] = [];
    const { run, results } = setup([device('mine', 'gw-1'), device('theirs', 'gw-2'), device('coap-here', 'gw-1', 'coap')], (c) => {
      deliveredTo.push(c.deviceId);
      return Promise.resolve(delivered);
    });
    await run('commands-consumer', [command({ deviceId: 'mine' }), command({ deviceId: 'theirs' }), command({ deviceId: 'coap-here' }), command({ deviceId: 'nobody' })]);
    expect(deliveredTo).toEqual(['mine']);
    expect(results().map((r) => [r.deviceId, r.status])).toEqual([['mine', 'delivered']]);
  });

  it('delivers a command id once however often its record arrives, while a failed one may be sent again', async () => {
    const deliveredIds: string[] = [];
    let fail = true;
    const { run, results } = setup([device('a', 'gw-1')], (c) => {
      deliveredIds.push(c.id);
      if (c.id === 'flaky' && fail) {
        fail = false;
        return Promise.resolve<DeliveryOutcome>({ status: 'failed', code: 'FL_X', message: 'device away' });
      }
      return Promise.resolve(delivered);
    });
    const once = command({ deviceId: 'a', id: 'once' });
    const flaky = command({ deviceId: 'a', id: 'flaky' });
    await run('commands-consumer', [once, once, flaky]);
    // The same batch again, as after a handler failed: nothing new reaches the device but the retry.
    await run('commands-consumer', [once, flaky]);
    expect(deliveredIds).toEqual(['once', 'flaky', 'flaky']);
    expect(results().map((r) => [r.id, r.status])).toEqual([
      ['once', 'delivered'],
      ['flaky', 'failed'],
      ['flaky', 'delivered'],
    ]);
  });

  it('writes the result of a delivered command whose result could not be written when its batch comes again, without delivering it again', async () => {
    const deliveredIds: string[] = [];
    const { run, results, kafkaDown } = setup([device('a', 'gw-1')], (c) => {
      deliveredIds.push(c.id);
      return Promise.resolve(delivered);
    });
    const stop = command({ deviceId: 'a', id: 'stop' });
    kafkaDown.sends = 1;
    await expect(run('commands-consumer', [stop])).rejects.toThrow('Kafka away');
    await run('commands-consumer', [stop]);
    await run('commands-consumer', [stop]);
    expect(deliveredIds).toEqual(['stop']);
    expect(results().map((r) => [r.id, r.status])).toEqual([['stop', 'delivered']]);
  });

  it('reports what the adapter returns: succeeded with output, failed with its code', async () => {
    const { run, results } = setup([device('a', 'gw-1'), device('b', 'gw-1')], (c) =>
      Promise.resolve<DeliveryOutcome>(c.deviceId === 'a' ? { status: 'succeeded', output: { rpm: 3 } } : { status: 'failed', code: 'FL_OPCUA_BAD', message: 'BadNodeIdUnknown' }),
    );
    await run('commands-consumer', [command({ deviceId: 'a' }), command({ deviceId: 'b' })]);
    expect(results().map((r) => [r.deviceId, r.status, r.code, r.output])).toEqual([
      ['a', 'succeeded', undefined, { rpm: 3 }],
      ['b', 'failed', 'FL_OPCUA_BAD', undefined],
    ]);
  });

  it('reports an expired command as expired and does not deliver it', async () => {
    const deliver = jest.fn(() => Promise.resolve(delivered));
    const { run, results } = setup([device('a', 'gw-1')], deliver);
    await run('commands-consumer', [command({ deviceId: 'a', expiresAt: '2020-01-01T00:00:00.000Z' })]);
    expect(deliver).not.toHaveBeenCalled();
    expect(results().map((r) => r.status)).toEqual(['expired']);
  });

  it('does not let a slow device hold up the commands for another', async () => {
    let releaseSlow: (() => void) | undefined;
    const { run, results } = setup([device('slow', 'gw-1'), device('fast', 'gw-1')], (c) =>
      c.deviceId === 'slow' ? new Promise<DeliveryOutcome>((resolve) => (releaseSlow = () => resolve(delivered))) : Promise.resolve(delivered),
    );
    const batch = run('commands-consumer', [command({ deviceId: 'slow' }), command({ deviceId: 'fast' })]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(results().map((r) => r.deviceId)).toEqual(['fast']);
    releaseSlow?.();
    await batch;
    expect(results().map((r) => r.deviceId)).toEqual(['fast', 'slow']);
  });

  it('router: one failed result for an unknown device or a wrong target, nothing for a served one', async () => {
    const { run, results } = setup([device('served', 'gw-2'), device('moved', 'gw-3')], () => Promise.resolve(delivered));
    await run('command-router', [
      command({ deviceId: 'ghost' }),
      command({ deviceId: 'served' }),
      command({ deviceId: 'moved', gateway: 'gw-2' }),
      command({ deviceId: 'served', id: 'c-proto', protocol: 'opcua' }),
    ]);
    expect(results().map((r) => [r.id, r.status, r.code])).toEqual([
      ['c-ghost', 'failed', 'FL_COMMAND_UNKNOWN_DEVICE'],
      ['c-moved', 'failed', 'FL_COMMAND_WRONG_TARGET'],
      ['c-proto', 'failed', 'FL_COMMAND_WRONG_TARGET'],
    ]);
  });

  it('router: a command for a device the registry forgot (devices.maxDevices) fails FL_COMMAND_UNKNOWN_DEVICE, saying so', async () => {
    const { run, results } = setup([], () => Promise.resolve(delivered), { forgets: true, maxDevices: 100 });
    await run('command-router', [command({ deviceId: 'quiet' })]);
    expect(results().map((r) => [r.status, r.code])).toEqual([['failed', 'FL_COMMAND_UNKNOWN_DEVICE']]);
    expect(results()[0]?.detail).toContain('which the registry forgets beyond devices.maxDevices (100)');
  });

  it('reports a delivery that throws as failed FL_COMMAND_NOT_DELIVERED, with the error as detail', async () => {
    const { run, results } = setup([device('a', 'gw-1')], () => Promise.reject(new Error('MQTT client not started')));
    await run('commands-consumer', [command({ deviceId: 'a' })]);
    expect(results().map((r) => [r.status, r.code, r.detail])).toEqual([['failed', 'FL_COMMAND_NOT_DELIVERED', 'MQTT client not started']]);
  });

  it('router: dead-letters a record that is no command, under the commands mapping with its key and offset, and counts it invalid', async () => {
    const { handlers, dispatcher, results, deadLettered, metrics } = setup([], () => Promise.resolve(delivered));
    await dispatcher.start();
    await handlers.get('command-router')?.([{ topic: topics.commands, partition: 2, offset: '7', key: 'dev-9', value: Buffer.from('not json'), headers: {}, timestamp: 0 }]);
    expect(deadLettered).toMatchObject([{ route: 'commands', deviceId: 'dev-9', ref: `${topics.commands}/2@7`, raw: Buffer.from('not json') }]);
    expect(results()).toEqual([]);
    expect((await metrics.commands.get()).values).toMatchObject([{ labels: { status: 'invalid' }, value: 1 }]);
  });
});
