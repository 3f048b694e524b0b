import { EventTimeWindows } from './event-time-windows';

const minute = 60_000;

describe(EventTimeWindows.name, () => {
  it('emits each tumbling window once, when the watermark passes its end', () => {
    const windows = new EventTimeWindows({ size: minute, advance: minute, grace: 0 });
    expect(windows.add(10_000, 1).closed).toEqual([]);
    expect(windows.add(50_000, 3).closed).toEqual([]);
    const [first, ...rest] = windows.add(minute + 1, 10).closed;
    expect(rest).toEqual([]);
    expect(first).toEqual({ start: 0, end: minute, count: 2, mean: 2, min: 1, max: 3, stddev: 1, firstEventTime: 10_000, lastEventTime: 50_000 });
    expect(windows.add(minute + 2, 10).closed).toEqual([]);
  });

  it('puts an event in every hopping window that covers it', () => {
    const windows = new EventTimeWindows({ size: 3 * minute, advance: minute, grace: 0 });
    windows.add(2.5 * minute, 7);
    const closed = windows.add(10 * minute, 0).closed;
    expect(closed.map((w) => [w.start / minute, w.count])).toEqual([[0, 1], [1, 1], [2, 1]]);
  });

  it('includes out-of-order events inside the grace period and flags those beyond it', () => {
    const windows = new EventTimeWindows({ size: minute, advance: minute, grace: 30_000 });
    windows.add(10_000, 1);
    expect(windows.add(minute + 20_000, 5)).toEqual({ late: false, closed: [] });
    expect(windows.add(55_000, 3).late).toBe(false);
    const closed = windows.add(minute + 30_000, 5).closed;
    expect(closed).toHaveLength(1);
    expect(closed[0]?.count).toBe(2);
    expect(windows.add(40_000, 100)).toEqual({ late: true, closed: [] });
  });
});
