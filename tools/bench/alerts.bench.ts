/**
 * npm run bench -- alerts [--json] [--devices N] [--hours H]
 * How far the stream processor's alerts can be trusted with its default config: the same
 * PartitionProcessor the service runs (detectors, alert hysteresis, rules) over telemetry from
 * npm start's simulated machines, on a virtual clock at one reading per second.
 *
 * - Healthy fleet: N machines for H hours with no anomaly. Every alert is a false alert, every
 *   command one sent to a healthy device.
 * - One run per anomaly kind of the simulators (spike, level shift, stuck value, drift, noise
 *   burst, dropout): each of 20 machines gets one anomaly on a metric (in turn), 5 minutes apart,
 *   after 20 minutes of warm-up. Detected: an alert raised on that device and metric (the silence
 *   alert for a dropout, which lasts 6 minutes) from the anomaly's start to a minute after its end.
 *   Delay: from its start. Other alerts on that device up to 5 minutes after that are after-effects
 *   (the return to normal); the rest are false. Silence is checked every checkIntervalMs of the clock.
 * - State: heap bytes per series of the default detector, measured on 20,000 series.
 */
import { type ConsumedRecord, type OutgoingRecord } from '@fieldlink/kafka';
import { createDetector, DEFAULT_DETECTOR, DETECTOR_DEFAULTS, type DetectorSpec, type ProcessingConfig, PartitionProcessor, ProcessingConfigFields, Tally } from '@fieldlink/analytics';
import { type Alert, type Command, type Telemetry, topicMap } from '@fieldlink/schemas';
import { quantile, round, runBench } from '@fieldlink/testing';
import { parseArgs } from 'node:util';
import { Type } from '@sinclair/typebox';
import Ajv from 'ajv';
import { MACHINE } from '../simulators/device-classes';
import { ANOMALY_DURATION_MS, ANOMALY_KINDS, type AnomalyKind, SimulatedDevice, seededRandom } from '../simulators/telemetry';

const T0 = Date.UTC(2026, 0, 1);
const STEP_MS = 1000;
const TRIALS = 20;
const WARM_UP_MS = 20 * 60_000;
const SPACING_MS = 5 * 60_000;
/** An alert counts as a detection up to a minute after the anomaly's end. */
const detectionWindowMs = (kind: AnomalyKind): number => ANOMALY_DURATION_MS[kind] + 60_000;

const progress = (msg: string): void => void process.stderr.write(`[bench] ${msg}\n`);

/** The stream processor's processing config with nothing set: every default, as the service applies them. */
export function defaultProcessingConfig(): ProcessingConfig {
  const config: Record<string, unknown> = {};
  const validate = new Ajv({ useDefaults: true, strict: false }).compile(Type.Object(ProcessingConfigFields));
  if (!validate(config)) throw new Error(`the processing defaults do not validate: ${JSON.stringify(validate.errors)}`);
  return { ...(config as Omit<ProcessingConfig, 'gateway'>), gateway: { instanceId: 'bench' } };
}

interface Outputs {
  alerts: Alert[];
  commands: Command[];
}

/** Feeds devices' readings, one per second of virtual time, through one partition's processor. */
class VirtualFleet {
  private readonly processor: PartitionProcessor;
  private offset = 0;
  readonly out: Outputs = { alerts: [], commands: [] };
  private readonly topics = topicMap();
  private readonly config = defaultProcessingConfig();

  constructor(readonly devices: SimulatedDevice[]) {
    this.processor = new PartitionProcessor(this.config, this.topics, new Tally());
  }

  run(fromMs: number, toMs: number, each?: (now: number) => void): void {
    const outputs: OutgoingRecord[] = [];
    const checkEvery = this.config.silence.checkIntervalMs;
    for (let now = fromMs; now < toMs; now += STEP_MS) {
      each?.(now);
      if ((now - fromMs) % checkEvery === 0) this.processor.checkSilence(now, outputs);
      for (const device of this.devices) {
        const values = device.reading(now);
        if (values) this.processor.apply(this.record(device.id, values, now), outputs);
      }
      for (const output of outputs.splice(0)) {
        if (output.topic === this.topics.alerts) this.out.alerts.push(JSON.parse(String(output.value)) as Alert);
        if (output.topic === this.topics.commands) this.out.commands.push(JSON.parse(String(output.value)) as Command);
      }
    }
  }

  private record(deviceId: string, values: Record<string, number>, now: number): ConsumedRecord {
    const time = new Date(now).toISOString();
    const telemetry: Telemetry = {
      schemaVersion: 1,
      id: `t-${this.offset}`,
      deviceId,
      eventTime: time,
      receiveTime: time,
      source: { protocol: 'mqtt', gateway: 'bench', ref: `sensors/${deviceId}/data` },
      values: Object.fromEntries(Object.entries(values).map(([metric, value]) => [metric, { value }])),
    };
    return { topic: this.topics.telemetry, partition: 0, offset: String(this.offset++), key: deviceId, value: Buffer.from(JSON.stringify(telemetry)), headers: {}, timestamp: now };
  }
}

function machines(count: number, seed: number): SimulatedDevice[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => new SimulatedDevice(`${MACHINE.prefix}-${String(i + 1).padStart(3, '0')}`, MACHINE.metrics, random));
}

interface HealthyFigures {
  devices: number;
  hours: number;
  deviceHours: number;
  falseAlerts: number;
  falseAlertsPerDeviceDay: number;
  falseAlertsByMetric: Record<string, number>;
  falseAlertsInFirstHour: number;
  commandsToHealthyDevices: number;
}

function healthy(devices: number, hours: number): HealthyFigures {
  const fleet = new VirtualFleet(machines(devices, 1));
  fleet.run(T0, T0 + hours * 3_600_000);
  const raised = fleet.out.alerts.filter((a) => a.state === 'raised');
  const deviceHours = devices * hours;
  const byMetric: Record<string, number> = {};
  for (const alert of raised) byMetric[alert.metric] = (byMetric[alert.metric] ?? 0) + 1;
  const inFirstHour = raised.filter((a) => Date.parse(a.eventTime) < T0 + 3_600_000).length;
  return {
    devices,
    hours,
    deviceHours,
    falseAlerts: raised.length,
    falseAlertsPerDeviceDay: round((raised.length / deviceHours) * 24, 3),
    falseAlertsByMetric: byMetric,
    falseAlertsInFirstHour: inFirstHour,
    commandsToHealthyDevices: fleet.out.commands.length,
  };
}

function scenario(kind: AnomalyKind, seed: number): Record<string, number | null> {
  const fleet = new VirtualFleet(machines(TRIALS, seed));
  const metrics = Object.keys(MACHINE.metrics);
  const injected = fleet.devices.map((device, i) => ({ device, metric: metrics[i % metrics.length] ?? 'temperature', at: T0 + WARM_UP_MS + i * SPACING_MS }));
  const end = T0 + WARM_UP_MS + TRIALS * SPACING_MS + detectionWindowMs(kind);
  fleet.run(T0, end, (now) => {
    for (const trial of injected) if (trial.at === now) trial.device.inject(kind, trial.metric, STEP_MS);
  });
  // An alert on the anomalous device up to 5 minutes after the anomaly, but not the detection
  // itself (another metric, or the return to normal), is its after-effect; anything else is false.
  const delays = new Map<number, number>();
  let afterEffects = 0;
  let falseAlerts = 0;
  for (const alert of fleet.out.alerts.filter((a) => a.state === 'raised')) {
    const index = injected.findIndex((t) => t.device.id === alert.deviceId);
    const trial = injected[index];
    const delay = Date.parse(alert.eventTime) - (trial?.at ?? 0);
    const expected = kind === 'dropout' ? 'silence' : trial?.metric;
    const detection = !!trial && alert.metric === expected && delay >= 0 && delay <= detectionWindowMs(kind);
    if (detection && !delays.has(index)) delays.set(index, delay);
    else if (trial && delay >= 0 && delay <= detectionWindowMs(kind) + 5 * 60_000) afterEffects++;
    else falseAlerts++;
  }
  const found = [...delays.values()].sort((a, b) => a - b);
  return { trials: TRIALS, detected: found.length, recall: round(found.length / TRIALS, 3), medianDelaySeconds: found.length ? round(quantile(found, 0.5) / 1000, 1) : null, afterEffects, falseAlerts };
}

/** Heap bytes per series of the default detector after 400 readings (its ring buffers are allocated whole up front). */
function stateBytes(): { detector: string; bytesPerSeries: number; measured: boolean } {
  const gc = (globalThis as { gc?: () => void }).gc;
  const choice = defaultProcessingConfig().detectors.default ?? DEFAULT_DETECTOR;
  if (choice.type === 'none') return { detector: 'none', bytesPerSeries: 0, measured: true };
  const type = choice.type as DetectorSpec['type'];
  const spec = { ...DETECTOR_DEFAULTS[type], ...(choice.options ?? {}), type } as DetectorSpec;
  const count = 20_000;
  // Ring buffers are typed arrays, whose memory is outside the JS heap.
  const used = (): number => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  gc?.();
  const before = used();
  const detectors = Array.from({ length: count }, () => createDetector(spec));
  for (const detector of detectors) for (let i = 0; i < 400; i++) detector.update(Math.sin(i));
  gc?.();
  const bytes = (used() - before) / count;
  if (detectors.length !== count) throw new Error('unreachable: keeps the detectors alive until measured');
  return { detector: type, bytesPerSeries: Math.round(bytes), measured: gc !== undefined };
}

export function alertsBench(devices: number, hours: number): Record<string, unknown> {
  progress(`healthy fleet: ${devices} simulated machines (${Object.keys(MACHINE.metrics).join(', ')}) for ${hours} h at 1 reading/s, default config`);
  const fleet = healthy(devices, hours);
  progress(`healthy: ${fleet.falseAlerts} false alerts in ${fleet.deviceHours} device-hours, ${fleet.commandsToHealthyDevices} commands`);
  const scenarios: Record<string, Record<string, number | null>> = {};
  ANOMALY_KINDS.forEach((kind, i) => {
    scenarios[kind] = scenario(kind, 100 + i);
    progress(`${kind}: recall ${scenarios[kind]['recall']}, median delay ${scenarios[kind]['medianDelaySeconds']} s`);
  });
  const state = stateBytes();
  progress(`${state.detector}: ${state.bytesPerSeries} bytes per series${state.measured ? '' : ' (no --expose-gc: rough)'}`);
  return { bench: 'alerts', defaults: defaultProcessingConfig().detectors, healthy: fleet, scenarios, state };
}

/** npm run bench -- alerts [--json] [--devices 50] [--hours 8]: no Kafka, a virtual clock. */
async function main(): Promise<{ result: object; json: boolean }> {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== 'alerts'),
    options: { json: { type: 'boolean', default: false }, devices: { type: 'string', default: '50' }, hours: { type: 'string', default: '8' } },
  });
  const [devices, hours] = [Number(values.devices), Number(values.hours)];
  if (!Number.isInteger(devices) || devices < 1 || !(hours > 0)) throw new Error('--devices must be a positive integer and --hours a positive number');
  return Promise.resolve({ result: alertsBench(devices, hours), json: values.json });
}

runBench(main);
