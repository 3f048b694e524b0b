import { SeqSet, TelemetryChecker, reportFault, sharedInfra, waitFor } from '@fieldlink/testing';
import { CyclonePublisher } from '../test/cyclone';
import { type DdsGatewayUnderTest, ddsTopic, ddsXml, sensorConfig, startDdsGateway } from '../test/support';

describe('dds-gateway faults', () => {
  let started: DdsGatewayUnderTest | undefined;
  let pub: CyclonePublisher | undefined;
  afterEach(async () => {
    await started?.gateway.kill();
    await pub?.stop();
    [started, pub] = [undefined, undefined];
  });

  it('loses nothing when SIGKILLed twice during a reliable run from a durable (TRANSIENT_LOCAL, KEEP_ALL) writer, and re-sent samples keep their id', async () => {
    const SENSORS = 10;
    const PER_SENSOR = 600;
    const PARTITIONS = 3;
    const topic = ddsTopic('Readings');
    // The gateway asks for TRANSIENT_LOCAL too, so each new process gets the writer's whole history.
    const g = (started = await startDdsGateway(await sharedInfra(), { config: { ...sensorConfig(ddsXml({ sensorTopic: topic, durableReader: true }), topic), topics: { partitions: PARTITIONS } } }));
    pub = await CyclonePublisher.start({ topic, count: SENSORS * PER_SENSOR, sensors: SENSORS, rate: 300, durable: true, lingerMs: 600_000 });
    await pub.matched();

    // temperature is each sensor's sequence number, 1 to PER_SENSOR.
    const checker = new TelemetryChecker(g.brokers, g.topic('telemetry'), PARTITIONS, 'temperature');
    const restarts: number[] = [];
    for (const threshold of [1500, 3500]) {
      await waitFor(`${threshold} records in Kafka`, async () => {
        await checker.poll();
        return checker.records >= threshold;
      }, { timeoutMs: 120_000, intervalMs: 200 });
      await g.gateway.kill();
      const [killedAt, recordsAtKill] = [Date.now(), checker.records];
      await g.gateway.spawn(false);
      await waitFor('records again', async () => {
        await checker.poll();
        return checker.records > recordsAtKill;
      }, { timeoutMs: 120_000, intervalMs: 200 });
      restarts.push(Date.now() - killedAt);
    }
    await pub.done(180_000);

    const written = new Map<string, SeqSet>();
    for (let s = 0; s < SENSORS; s++) {
      const seqs = new SeqSet();
      for (let seq = 1; seq <= PER_SENSOR; seq++) seqs.add(seq);
      written.set(`sensor-${s}`, seqs);
    }
    await checker.waitForAll(written, 120_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\ngateway running: ${g.gateway.running}\n${g.gateway.logs.slice(-3000)}\npublisher:\n${pub?.output ?? ''}`);
    });
    const delivery = checker.delivery(written);
    reportFault('dds-gateway SIGKILL x2 (10 sensors, RELIABLE + TRANSIENT_LOCAL KEEP_ALL writer)', SENSORS * PER_SENSOR, delivery, `bridging again ${restarts.join(', ')} ms after each kill`);
    expect(delivery.lost).toBe(0);
    // Each restarted reader gets the history again: duplicates, all with the first copy's id.
    expect(delivery.rawDuplicates).toBeGreaterThan(0);
    expect(delivery.duplicatesAfterDedupe).toBe(0);
    expect(delivery.reordered).toBe(0);
  });
});
