import { type Detector } from '../detectors/detector';
import { createDetector, DETECTOR_DEFAULTS, type DetectorSpec } from '../detectors/detector.factory';
import { EventTimeWindows } from '../windows/event-time-windows';
import { type DetectorChoice, type ProcessingConfig } from './processing-config';
import { AlertTracker } from './alert-tracker';
import { RuleTrigger, isSeriesRule } from './rule-trigger';

/** The score that raises an alert when the config does not say: the seed's 0.8, or where kNN context suppresses. */
const DEFAULT_ALERT_ABOVE: Record<DetectorSpec['type'], number> = {
  zscore: 0.8,
  gaussian: 0.65,
  ewma: 0.8,
  mad: 0.8,
  knncontext: DETECTOR_DEFAULTS.knncontext.restThreshold,
  cad: DETECTOR_DEFAULTS.cad.restThreshold,
};

/** Calibrated, so healthy telemetry stays quiet: about 12 KB per series (a 1,500-reading window). */
export const DEFAULT_DETECTOR: DetectorChoice = { type: 'gaussian' };

/** Everything kept for one (deviceId, metric). */
export class SeriesState {
  readonly windows: EventTimeWindows[];
  readonly detector: { name: string; instance: Detector; alerts: AlertTracker } | null;
  readonly rules: RuleTrigger;
  /** The latest numeric reading, for rules that decide on a device's other metrics. */
  lastValue: number | undefined;

  constructor(metric: string, config: ProcessingConfig) {
    this.windows = config.windows.map(
      (w) => new EventTimeWindows({ size: w.sizeMs, advance: w.advanceMs ?? w.sizeMs, grace: w.graceMs }),
    );
    const choice: DetectorChoice = config.detectors.metrics[metric] ?? config.detectors.default ?? DEFAULT_DETECTOR;
    if (choice.type === 'none') {
      this.detector = null;
    } else {
      const type = choice.type as DetectorSpec['type'];
      const spec = { ...DETECTOR_DEFAULTS[type], ...(choice.options ?? {}), type } as DetectorSpec;
      this.detector = {
        name: type,
        instance: createDetector(spec),
        alerts: new AlertTracker(choice.alertAbove ?? DEFAULT_ALERT_ABOVE[type], config.alerts.clearAfter),
      };
    }
    this.rules = new RuleTrigger(config.rules.filter(isSeriesRule).filter((r) => r.metric === undefined || r.metric === metric));
  }
}
