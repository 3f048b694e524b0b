import { type ConsumedRecord, type OutgoingRecord } from '@fieldlink/kafka';
import { topicMap } from '@fieldlink/schemas';
import { Value } from '@sinclair/typebox/value';
import { type ProcessingConfig, ProcessingConfigSchema } from './processing-config';
import { Tally } from './stream-counters';
import { AlertTracker } from './alert-tracker';
import { PartitionProcessor } from './partition-processor';
import { DeviceDecisions } from './decision-rules';
import { RuleTrigger } from './rule-trigger';

function processingDefaults(): ProcessingConfig {
  return { ...(Value.Default(ProcessingConfigSchema, {}) as Omit<ProcessingConfig, 'gateway'>), gateway: { instanceId: 'unit' } };
}

describe(AlertTracker.name, () => {
  it('raises once for a sustained anomaly and clears after enough normal samples', () => {
    const tracker = new AlertTracker(0.8, 3);
    const transitions = [0.1, 0.9, 1, 0.95, 0.2, 0.2, 0.9, 0.1, 0.1, 0.1, 0.1].map((s, i) => tracker.observe(s, () => `a${i}`));
    expect(transitions).toEqual([null, 'raised', null, null, null, null, null, null, null, 'cleared', null]);
  });
});

describe(RuleTrigger.name, () => {
  it('fires when a condition becomes true and re-arms when it is false again', () => {
    const trigger = new RuleTrigger([{ name: 'hot', when: 'value', above: 85, action: 'shutdown', ttlMs: 1000 }]);
    const fired = [20, 90, 95, 80, 86].map((v) => trigger.evaluate(v, undefined).map((r) => r.name));
    expect(fired).toEqual([[], ['hot'], [], [], ['hot']]);
  });
});

describe(DeviceDecisions.name, () => {
  const emergency = processingDefaults();
  const decide = (readings: { metric: string; value: number; score?: number }[], latest: Record<string, number>, decisions = new DeviceDecisions(emergency.rules)) =>
    decisions.evaluate(readings, (m) => latest[m]).map((d) => `${d.branch.action} ${d.trigger.metric}`);

  it('is the default: one command per anomaly, shutdown when the device is above 85 °C, otherwise throttle', () => {
    expect(decide([{ metric: 'temperature', value: 95, score: 1 }], { temperature: 95 })).toEqual(['shutdown temperature']);
    expect(decide([{ metric: 'temperature', value: 60, score: 0.95 }], { temperature: 60 })).toEqual(['throttle temperature']);
    // An anomaly in another metric decides on the device's latest temperature.
    expect(decide([{ metric: 'vibration', value: 9, score: 0.99 }], { temperature: 90, vibration: 9 })).toEqual(['shutdown vibration']);
    // Two anomalous metrics in one reading still make one decision, on the stronger.
    expect(decide([{ metric: 'humidity', value: 80, score: 0.92 }, { metric: 'temperature', value: 96, score: 0.99 }], { temperature: 96, humidity: 80 })).toEqual(['shutdown temperature']);
    expect(decide([{ metric: 'temperature', value: 96, score: 0.5 }], { temperature: 96 })).toEqual([]);
  });

  it('decides once per sustained anomaly and again after a reading with none', () => {
    const decisions = new DeviceDecisions(emergency.rules);
    const steps = [0.95, 0.99, 0.2, 0.97].map((score) => decide([{ metric: 'temperature', value: 50, score }], { temperature: 50 }, decisions));
    expect(steps).toEqual([['throttle temperature'], [], [], ['throttle temperature']]);
  });
});

describe(PartitionProcessor.name, () => {
  const config = processingDefaults();
  const record = (offset: number, deviceId: string, seconds: number, temperature: number): ConsumedRecord => ({
    topic: 'fieldlink.telemetry',
    partition: 0,
    offset: String(offset),
    key: deviceId,
    headers: {},
    timestamp: 0,
    value: Buffer.from(
      JSON.stringify({
        schemaVersion: 1,
        id: `${deviceId}-${offset}`,
        deviceId,
        eventTime: new Date(seconds * 1000).toISOString(),
        receiveTime: new Date(seconds * 1000).toISOString(),
        source: { protocol: 'mqtt', gateway: 'g', ref: 'r' },
        values: { temperature: { value: temperature } },
      }),
    ),
  });
  const input = Array.from({ length: 400 }, (_, i) => record(i, `d${i % 2}`, i, i === 301 ? 99 : 20 + (i % 7) / 10));
  const fresh = () => new PartitionProcessor(config, topicMap(), new Tally());
  const applyAll = (processor: PartitionProcessor, records: ConsumedRecord[]): OutgoingRecord[] => {
    const outputs: OutgoingRecord[] = [];
    for (const r of records) processor.apply(r, outputs);
    return outputs;
  };

  it('re-emits identical outputs with identical ids when a partition is replayed from the same offset', () => {
    const [a, b] = [fresh(), fresh()];
    const first = applyAll(a, input);
    expect(applyAll(b, input)).toEqual(first);
    expect(first.map((o) => o.topic)).toEqual(expect.arrayContaining(['fieldlink.window-stats', 'fieldlink.alerts', 'fieldlink.commands']));
  });

  it('sends a hot device with a high score one shutdown and no throttle, a warm one one throttle, with the reason', () => {
    const calm = Array.from({ length: 120 }, (_, i) => record(i, i % 2 ? 'hot' : 'warm', i, 20 + (i % 7) / 10));
    const spikes = [record(120, 'hot', 120, 95), record(121, 'warm', 121, 60), record(122, 'hot', 122, 96)];
    const commands = applyAll(fresh(), [...calm, ...spikes])
      .filter((o) => o.topic === 'fieldlink.commands')
      .map((o) => JSON.parse(String(o.value)) as { deviceId: string; action: string; args: { reason: string; rule: string } });
    expect(commands.map((c) => `${c.deviceId} ${c.action} ${c.args.rule} ${c.args.reason}`)).toEqual([
      'hot shutdown emergency-response emergency_response',
      'warm throttle emergency-response emergency_response',
    ]);
  });

  it('rebuilds state from replayed records but emits only from replayUntil on, and skips offsets it has applied', () => {
    const full = fresh();
    const expected = input.flatMap((r) => {
      const outputs = applyAll(full, [r]);
      return Number(r.offset) >= 250 ? outputs : [];
    });
    const resumed = fresh();
    resumed.replayUntil = 250;
    const outputs = applyAll(resumed, [...input.slice(0, 260), ...input.slice(240)]);
    expect(outputs).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
  });
});
