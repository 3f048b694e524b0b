/**
 * The simulated device classes, one per protocol simulator: their metrics and the metric a rule of
 * tools/start/stream-processor.yaml acts on. The alerts bench (tools/bench/alerts.bench.ts) draws
 * its healthy fleet and its scenarios from the same telemetry.
 */
import { type MetricSpec } from './telemetry';

export interface DeviceClass {
  prefix: string;
  metrics: Record<string, MetricSpec>;
  /** The first injected anomaly is a spike on it. */
  ruledMetric: string;
}

export const MACHINE: DeviceClass = {
  prefix: 'machine',
  ruledMetric: 'temperature',
  metrics: {
    temperature: { base: 60, daily: 5, noise: 0.3, drift: 0.025 },
    humidity: { base: 45, daily: 10, noise: 1, drift: 0.05 },
    pressure: { base: 1013, daily: 0, noise: 0.8, drift: 0.05 },
    vibration: { base: 2, daily: 0, noise: 0.05, drift: 0.002, min: 0 },
  },
};

export const ENVIRONMENT_SENSOR: DeviceClass = {
  prefix: 'env',
  ruledMetric: 'co2',
  metrics: {
    co2: { base: 600, daily: 80, noise: 8, drift: 0.5 },
    humidity: { base: 50, daily: 8, noise: 0.8, drift: 0.05 },
    battery: { base: 3.6, daily: 0, noise: 0.005, drift: 0.0002 },
  },
};

export const PUMP: DeviceClass = {
  prefix: 'Pump',
  ruledMetric: 'MotorCurrent',
  metrics: {
    FlowRate: { base: 120, daily: 15, noise: 1.5, drift: 0.1 },
    DischargePressure: { base: 6.5, daily: 0.3, noise: 0.05, drift: 0.003 },
    MotorCurrent: { base: 12, daily: 0.5, noise: 0.15, drift: 0.01 },
    BearingTemperature: { base: 45, daily: 2, noise: 0.2, drift: 0.01 },
  },
};

export const DDS_SENSOR: DeviceClass = {
  prefix: 'sensor',
  ruledMetric: 'temperature',
  metrics: {
    temperature: { base: 58, daily: 4, noise: 0.25, drift: 0.02 },
    humidity: { base: 40, daily: 6, noise: 0.7, drift: 0.05 },
  },
};
