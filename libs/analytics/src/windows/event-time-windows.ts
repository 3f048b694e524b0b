import { WindowAccumulator, type WindowStats } from './window-stats';

export interface WindowSpec {
  /** Window length in ms. */
  size: number;
  /** Distance between window starts in ms: equal to `size` for tumbling windows, smaller for hopping ones. */
  advance: number;
  /** How long after a window's end (in event time) it still accepts late events. */
  grace: number;
}

export interface WindowUpdate {
  /** Windows this event was too late for: they had closed already. */
  readonly late: boolean;
  /** Windows the watermark passed with this event, oldest first. Each is emitted exactly once. */
  readonly closed: readonly WindowStats[];
}

// Most events close nothing; sharing these spares an allocation per event.
const NOTHING_CLOSED: readonly WindowStats[] = Object.freeze([]);
const ON_TIME: WindowUpdate = Object.freeze({ late: false, closed: NOTHING_CLOSED });
const TOO_LATE: WindowUpdate = Object.freeze({ late: true, closed: NOTHING_CLOSED });

/**
 * Event-time windows for one series. Windows are aligned to the epoch, so every instance
 * computes the same boundaries. The watermark is the latest event time seen minus the grace
 * period; a window closes, and is reported once, when the watermark reaches its end.
 */
export class EventTimeWindows {
  private readonly open = new Map<number, WindowAccumulator>();
  private maxEventTime = -Infinity;
  /** The earliest end among open windows: until the watermark reaches it, nothing can close. */
  private nextEnd = Infinity;

  constructor(private readonly spec: WindowSpec) {}

  get watermark(): number {
    return this.maxEventTime - this.spec.grace;
  }

  add(eventTime: number, value: number): WindowUpdate {
    const { size, advance } = this.spec;
    let late = false;
    const lastStart = Math.floor(eventTime / advance) * advance;
    for (let start = lastStart; start > eventTime - size; start -= advance) {
      if (start + size <= this.watermark) {
        late = true;
        continue;
      }
      let window = this.open.get(start);
      if (!window) {
        this.open.set(start, (window = new WindowAccumulator(start, start + size)));
        this.nextEnd = Math.min(this.nextEnd, window.end);
      }
      window.add(eventTime, value);
    }
    this.maxEventTime = Math.max(this.maxEventTime, eventTime);
    if (this.watermark < this.nextEnd) return late ? TOO_LATE : ON_TIME;
    return { late, closed: this.closeUpTo(this.watermark) };
  }

  private closeUpTo(watermark: number): WindowStats[] {
    const closed: WindowStats[] = [];
    this.nextEnd = Infinity;
    for (const [start, window] of this.open) {
      if (window.end <= watermark) {
        closed.push(window.result());
        this.open.delete(start);
      } else {
        this.nextEnd = Math.min(this.nextEnd, window.end);
      }
    }
    return closed.sort((a, b) => a.start - b.start);
  }
}
