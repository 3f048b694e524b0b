import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Infra, LocalService, type MqttGatewayUnderTest, startMqttGateway, TelemetryChecker } from '@fieldlink/testing';

export interface GatewayOnPrivateKafka {
  /** A broker of this scenario's own, to kill and restart. */
  kafka: LocalService;
  started: MqttGatewayUnderTest;
  /** Reads the gateway's telemetry topic from that broker. */
  checker: TelemetryChecker;
}

/** A private Kafka, the gateway on it with a spool of its own, and a checker of its telemetry. */
export async function gatewayOnPrivateKafka(infra: Infra): Promise<GatewayOnPrivateKafka> {
  const kafka = await LocalService.kafka();
  try {
    const spoolDir = mkdtempSync(join(tmpdir(), 'fieldlink-spool-'));
    const started = await startMqttGateway(infra, { brokers: kafka.address, config: () => ({ spool: { dir: spoolDir } }) });
    return { kafka, started, checker: new TelemetryChecker(kafka.address, started.topic('telemetry'), 3) };
  } catch (error) {
    await kafka.dispose();
    throw error;
  }
}
