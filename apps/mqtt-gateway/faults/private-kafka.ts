import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Infra, LocalService, TelemetryChecker } from '@fieldlink/testing';
import { type GatewayUnderTest, startGateway } from '../test/support';

export interface GatewayOnPrivateKafka {
  /** A broker of this scenario's own, to kill and restart. */
  kafka: LocalService;
  started: GatewayUnderTest;
  /** Reads the gateway's telemetry topic from that broker. */
  checker: TelemetryChecker;
}

/** A private Kafka, the gateway on it with a spool of its own, and a checker of its telemetry. */
export async function gatewayOnPrivateKafka(infra: Infra): Promise<GatewayOnPrivateKafka> {
  const kafka = await LocalService.kafka();
  try {
    const spoolDir = mkdtempSync(join(tmpdir(), 'fieldlink-spool-'));
    const started = await startGateway(infra, { brokers: kafka.address, config: () => ({ spool: { dir: spoolDir } }) });
    return { kafka, started, checker: new TelemetryChecker(kafka.address, started.topic('telemetry'), 3) };
  } catch (error) {
    await kafka.dispose();
    throw error;
  }
}
