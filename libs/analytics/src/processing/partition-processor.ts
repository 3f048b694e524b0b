import { type ConsumedRecord, type OutgoingRecord } from '@fieldlink/kafka';
import { dateTimeMillis, readTelemetry, stableId, type Telemetry, type TopicMap } from '@fieldlink/schemas';
import { type ProcessingConfig } from './processing-config';
import { StreamErrorCode } from './errors';
import { type StreamCounters } from './stream-counters';
import { alertRecord, commandRecord, deadLetterRecord, windowStatsRecord } from './outputs';
import { DeviceDecisions, type MetricReading } from './decision-rules';
import { SeriesState } from './series-state';
import { SilenceWatch } from './silence-watch';

/**
 * All state of one telemetry partition, keyed by (deviceId, metric). Records are applied in
 * offset order and the outputs depend on nothing else, so replaying a partition from the same
 * offset rebuilds the same state and re-emits the same outputs with the same ids.
 */
export class PartitionProcessor {
  /** deviceId → metric → state; nested maps spare a key string per reading. */
  private readonly series = new Map<string, Map<string, SeriesState>>();
  /** deviceId → the state of the rules that decide per device; none when no rule does. */
  private readonly decisions = new Map<string, DeviceDecisions>();
  private readonly decisionRules: ProcessingConfig['rules'];
  private readonly silence: SilenceWatch;
  /** The next offset to apply; anything below was applied already. */
  nextOffset = -1;
  /** Records below this offset only rebuild state: their outputs were emitted before a restart or rebalance. */
  replayUntil = -1;

  constructor(
    private readonly config: ProcessingConfig,
    private readonly topics: TopicMap,
    private readonly metrics: StreamCounters,
  ) {
    this.decisionRules = config.rules.filter((r) => r.decide !== undefined);
    this.silence = new SilenceWatch(config, topics, (state) => this.metrics.alerts.inc({ state }));
  }

  /** Reports devices silent at `now` (wall clock); nothing while the partition is still replaying. */
  checkSilence(now: number, outputs: OutgoingRecord[]): void {
    if (this.nextOffset < this.replayUntil) return;
    this.silence.check(now, outputs);
  }

  /** Applies one record and appends the outputs to produce to `outputs` (none while replaying). */
  apply(record: ConsumedRecord, outputs: OutgoingRecord[]): void {
    const offset = Number(record.offset);
    if (offset < this.nextOffset) return;
    this.nextOffset = offset + 1;
    const live = offset >= this.replayUntil;
    const before = outputs.length;
    const telemetry = this.parse(record, outputs);
    if (telemetry) {
      this.silence.observe(telemetry, record.timestamp, outputs);
      this.process(record, telemetry, outputs);
    }
    if (live) this.metrics.processed.inc(telemetry ? 1 : 0);
    else this.metrics.replayed.inc();
    if (!live) outputs.length = before;
  }

  private parse(record: ConsumedRecord, outputs: OutgoingRecord[]): Telemetry | null {
    const raw = record.value ?? Buffer.alloc(0);
    try {
      return readTelemetry.assert(JSON.parse(raw.toString('utf8')));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.reject(record, raw, StreamErrorCode.InvalidTelemetry, `not valid telemetry: ${message}`, outputs, record.key ?? undefined);
      return null;
    }
  }

  private process(record: ConsumedRecord, telemetry: Telemetry, outputs: OutgoingRecord[]): void {
    // Validation accepted it as an RFC 3339 date-time, so this is a number.
    const eventTime = dateTimeMillis(telemetry.eventTime);
    const lateMetrics: string[] = [];
    const readings: MetricReading[] = [];
    for (const metric in telemetry.values) {
      const value = telemetry.values[metric]?.value;
      if (typeof value !== 'number') continue;
      const state = this.stateOf(telemetry.deviceId, metric);
      state.lastValue = value;
      for (let i = 0; i < state.windows.length; i++) {
        const update = state.windows[i].add(eventTime, value);
        if (update.late) lateMetrics.push(metric);
        if (update.closed.length === 0) continue;
        const spec = this.config.windows[i];
        const advance = spec?.advanceMs ?? spec?.sizeMs ?? 0;
        for (const closed of update.closed) outputs.push(windowStatsRecord(this.topics, telemetry.deviceId, metric, advance, closed));
        this.metrics.windowsClosed.inc(update.closed.length);
      }
      readings.push({ metric, value, score: this.detect(state, telemetry, metric, value, outputs) });
    }
    this.decide(telemetry, readings, outputs);
    if (lateMetrics.length > 0) {
      const metrics = [...new Set(lateMetrics)].join(', ');
      this.reject(record, record.value ?? Buffer.alloc(0), StreamErrorCode.LateEvent, `event time ${telemetry.eventTime} is past the grace period for ${metrics}`, outputs, telemetry.deviceId);
    }
  }

  /** Runs the series' detector, alerts and per-series rules; returns the anomaly score. */
  private detect(state: SeriesState, telemetry: Telemetry, metric: string, value: number, outputs: OutgoingRecord[]): number | undefined {
    let score: number | undefined;
    if (state.detector) {
      const { name, instance, alerts } = state.detector;
      const detection = instance.update(value);
      score = detection.score;
      const raisedId = alerts.active;
      const transition = alerts.observe(detection.score, () => stableId('alert', telemetry.id, metric, 'raised'), detection.resting);
      if (transition) {
        const id = transition === 'raised' ? (alerts.active ?? '') : stableId('alert', telemetry.id, metric, 'cleared');
        outputs.push(
          alertRecord(this.topics, {
            id,
            state: transition,
            telemetry,
            metric,
            value,
            score: detection.score,
            detector: name,
            severity: detection.score > this.config.alerts.highAbove ? 'high' : 'warning',
            ...(detection.expected ? { expected: detection.expected } : {}),
            ...(transition === 'cleared' && raisedId ? { raisedId } : {}),
          }),
        );
        this.metrics.alerts.inc({ state: transition });
      }
    }
    for (const rule of state.rules.evaluate(value, score)) {
      outputs.push(commandRecord(this.topics, rule, telemetry, metric, value, score));
      this.metrics.commands.inc({ rule: rule.name });
    }
    return score;
  }

  /** The rules that decide once per device and reading: at most one command each. */
  private decide(telemetry: Telemetry, readings: MetricReading[], outputs: OutgoingRecord[]): void {
    if (this.decisionRules.length === 0 || readings.length === 0) return;
    let device = this.decisions.get(telemetry.deviceId);
    if (!device) this.decisions.set(telemetry.deviceId, (device = new DeviceDecisions(this.decisionRules)));
    const latest = (metric: string): number | undefined => this.series.get(telemetry.deviceId)?.get(metric)?.lastValue;
    for (const { rule, branch, trigger } of device.evaluate(readings, latest)) {
      const spec = { name: rule.name, action: branch.action, args: { ...rule.args, ...branch.args }, ttlMs: rule.ttlMs };
      outputs.push(commandRecord(this.topics, spec, telemetry, trigger.metric, trigger.value, trigger.score));
      this.metrics.commands.inc({ rule: rule.name });
    }
  }

  private stateOf(deviceId: string, metric: string): SeriesState {
    let device = this.series.get(deviceId);
    if (!device) this.series.set(deviceId, (device = new Map<string, SeriesState>()));
    let state = device.get(metric);
    if (!state) device.set(metric, (state = new SeriesState(metric, this.config)));
    return state;
  }

  private reject(record: ConsumedRecord, raw: Buffer, code: StreamErrorCode, message: string, outputs: OutgoingRecord[], deviceId?: string): void {
    const input = { topic: record.topic, partition: record.partition, offset: record.offset, raw, code, message, ...(deviceId ? { deviceId } : {}) };
    outputs.push(deadLetterRecord(this.topics, this.config.gateway.instanceId, input, record.timestamp));
    if (Number(record.offset) >= this.replayUntil) this.metrics.rejected.inc({ code });
  }
}
