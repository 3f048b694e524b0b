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

  it('raises no alert on a resting detection after its own alert, but lets one keep that alert open or count towards clearing it', () => {
    const tracker = new AlertTracker(0.8, 2);
    const steps: [number, boolean][] = [[0.9, false], [0.95, true], [0.1, true], [0.1, true], [0.9, true], [0.9, false]];
    expect(steps.map(([s, resting], i) => tracker.observe(s, () => `a${i}`, resting))).toEqual(['raised', null, null, 'cleared', null, 'raised']);
  });

  it('raises on a resting detection when the rest was started by a score below its threshold (an alertAbove above the rest threshold)', () => {
    const tracker = new AlertTracker(0.8, 2);
    const steps: [number, boolean][] = [[0.7, false], [0.95, true], [0.1, true], [0.1, true], [0.9, true]];
    expect(steps.map(([s, resting], i) => tracker.observe(s, () => `a${i}`, resting))).toEqual([null, 'raised', null, 'cleared', null]);
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
  const record = (offset: number, deviceId: string, seconds: number, temperature: number, arrivedAt = 0): ConsumedRecord => ({
    topic: 'fieldlink.telemetry',
    partition: 0,
    offset: String(offset),
    key: deviceId,
    headers: {},
    timestamp: arrivedAt,
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

  it('reports a device silent past its limit once (offline, reason silent, and an alert), and online with the alert cleared on its next reading', () => {
    const processor = new PartitionProcessor({ ...config, silence: { afterMs: 60_000, checkIntervalMs: 1000, devices: [{ match: 'slow-*', afterMs: 600_000 }] } }, topicMap(), new Tally());
    const t = 1_700_000_000_000;
    applyAll(processor, [record(0, 'dev', 0, 20, t), record(1, 'slow-1', 0, 20, t)]);
    const check = (now: number) => {
      const out: OutgoingRecord[] = [];
      processor.checkSilence(now, out);
      return out.map((o): Record<string, unknown> => ({ topic: o.topic, ...(JSON.parse(String(o.value)) as Record<string, unknown>) }));
    };
    expect(check(t + 59_000)).toEqual([]);
    const silent = check(t + 61_000);
    expect(silent).toMatchObject([
      { topic: 'fieldlink.device-status', deviceId: 'dev', status: 'offline', detail: { reason: 'silent', silentForMs: 61_000, limitMs: 60_000 } },
      { topic: 'fieldlink.alerts', deviceId: 'dev', state: 'raised', metric: 'silence', detector: 'silence', telemetryId: 'dev-0' },
    ]);
    expect(check(t + 120_000)).toEqual([]);
    const back = applyAll(processor, [record(2, 'dev', 130, 20, t + 130_000)])
      .filter((o) => o.topic === 'fieldlink.device-status' || o.topic === 'fieldlink.alerts')
      .map((o) => JSON.parse(String(o.value)) as Record<string, unknown>);
    expect(back).toMatchObject([
      { deviceId: 'dev', status: 'online', detail: { reason: 'sending_again', gapMs: 130_000 } },
      { deviceId: 'dev', state: 'cleared', metric: 'silence', raisedId: silent[1]?.['id'] },
    ]);
    // slow-* has its own limit (600 s); dev went quiet again after its reading at 130 s.
    expect(check(t + 150_000)).toEqual([]);
    expect(check(t + 601_000).map((o) => `${String(o['deviceId'])} ${String(o['topic'])}`)).toEqual([
      'dev fieldlink.device-status',
      'dev fieldlink.alerts',
      'slow-1 fieldlink.device-status',
      'slow-1 fieldlink.alerts',
    ]);
  });

  it('finds the same silence with the same ids after a replay, and checks nothing while replaying', () => {
    const t = 1_700_000_000_000;
    const silence = { afterMs: 60_000, checkIntervalMs: 1000, devices: [] };
    const records = [record(0, 'dev', 0, 20, t), record(1, 'dev', 1, 20, t + 1000)];
    const ids = (processor: PartitionProcessor) => {
      const out: OutgoingRecord[] = [];
      processor.checkSilence(t + 100_000, out);
      return out.map((o) => (JSON.parse(String(o.value)) as { id: string }).id);
    };
    const before = new PartitionProcessor({ ...config, silence }, topicMap(), new Tally());
    applyAll(before, records);
    const replaying = new PartitionProcessor({ ...config, silence }, topicMap(), new Tally());
    replaying.replayUntil = 2;
    applyAll(replaying, records.slice(0, 1));
    expect(ids(replaying)).toEqual([]);
    applyAll(replaying, records.slice(1));
    expect(ids(replaying)).toEqual(ids(before));
    expect(ids(before)).toHaveLength(0);
  });

  it('pairs a silence it never checked (as after a restart) with its end from the gap itself, with the ids a check would have given', () => {
    const t = 1_700_000_000_000;
    const silence = { afterMs: 60_000, checkIntervalMs: 1000, devices: [] };
    const quiet = [record(0, 'dev', 0, 20, t)];
    const back = record(1, 'dev', 120, 20, t + 120_000);
    const events = (outputs: OutgoingRecord[]) =>
      outputs.filter((o) => o.topic !== 'fieldlink.window-stats').map((o) => JSON.parse(String(o.value)) as { id: string; status?: string; state?: string });
    const checked = new PartitionProcessor({ ...config, silence }, topicMap(), new Tally());
    applyAll(checked, quiet);
    const reported: OutgoingRecord[] = [];
    checked.checkSilence(t + 61_000, reported);
    const viaCheck = [...events(reported), ...events(applyAll(checked, [back]))];
    const unchecked = new PartitionProcessor({ ...config, silence }, topicMap(), new Tally());
    const viaGap = events(applyAll(unchecked, [...quiet, back]));
    expect(viaGap.map((e) => e.status ?? e.state)).toEqual(['offline', 'raised', 'online', 'cleared']);
    expect(viaGap.map((e) => e.id)).toEqual(viaCheck.map((e) => e.id));
  });
});
