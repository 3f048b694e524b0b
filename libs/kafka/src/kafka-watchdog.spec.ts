import pino from 'pino';
import { KafkaWatchdog, type WatchedClient } from './kafka-watchdog';

const STALL = 60_000;
const INTERVAL = 5000;

/** A client whose work and progress the test sets by hand, with a Kafka that answers or not. */
function setup() {
  const client = { name: 'producer', work: false, progressAt: 0 };
  const watched: WatchedClient = { name: client.name, waiting: () => client.work, lastProgressAt: () => client.progressAt };
  const events: string[] = [];
  const kafka = { reachable: true, probes: 0 };
  const watchdog = new KafkaWatchdog(
    () => [watched],
    {
      probe: () => {
        kafka.probes++;
        return Promise.resolve(kafka.reachable);
      },
      rebuild: () => {
        events.push('rebuild');
        return Promise.resolve();
      },
      onRebuild: () => events.push('counted rebuild'),
      onLivenessFailure: () => events.push('counted liveness failure'),
    },
    { stallMs: STALL, intervalMs: INTERVAL },
    pino({ level: 'silent' }),
  );
  /** Checks every interval from `from` to `to` (ms). */
  const run = async (from: number, to: number) => {
    for (let t = from; t <= to; t += INTERVAL) await watchdog.check(t);
  };
  return { client, events, kafka, watchdog, run };
}

describe(KafkaWatchdog.name, () => {
  it('rebuilds the clients once a stall outlasts stallMs, then fails liveness when the rebuild does not help', async () => {
    const { client, events, watchdog, run } = setup();
    client.work = true;
    await run(0, STALL - INTERVAL);
    expect({ events, live: watchdog.live }).toEqual({ events: [], live: true });
    await run(STALL, STALL);
    expect(events).toEqual(['counted rebuild', 'rebuild']);
    await run(STALL + INTERVAL, 2 * STALL - INTERVAL);
    expect(watchdog.live).toBe(true);
    await run(2 * STALL, 2 * STALL);
    expect({ events, live: watchdog.live }).toEqual({ events: ['counted rebuild', 'rebuild', 'counted liveness failure'], live: false });
  });

  it('is live again once the client moves after a rebuild', async () => {
    const { client, watchdog, run } = setup();
    client.work = true;
    await run(0, STALL);
    expect(watchdog.status).toBe('rebuilt');
    client.progressAt = STALL + 1;
    await run(STALL + INTERVAL, STALL + INTERVAL);
    expect(watchdog.status).toBe('ok');
  });

  it('does nothing while Kafka is away, and gives the clients stallMs once it answers again', async () => {
    const { client, events, kafka, watchdog, run } = setup();
    client.work = true;
    kafka.reachable = false;
    await run(0, 10 * STALL);
    expect(events).toEqual([]);
    kafka.reachable = true;
    await run(10 * STALL + INTERVAL, 11 * STALL - INTERVAL);
    expect(events).toEqual([]);
    await run(11 * STALL, 11 * STALL);
    expect(events).toEqual(['counted rebuild', 'rebuild']);
    expect(watchdog.live).toBe(true);
  });

  it('never probes Kafka while no client has work waiting', async () => {
    const { kafka, events, run } = setup();
    await run(0, 10 * STALL);
    expect({ probes: kafka.probes, events }).toEqual({ probes: 0, events: [] });
  });
});
