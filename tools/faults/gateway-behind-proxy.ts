import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type Infra, LocalService, type MqttGatewayUnderTest, startMqttGateway, Toxiproxy } from '@fieldlink/testing';

/** A private Kafka behind Toxiproxy and a spooling gateway that reaches it only through the proxy. */
export class GatewayBehindProxy {
  private constructor(
    readonly kafka: LocalService,
    readonly proxy: Toxiproxy,
    readonly started: MqttGatewayUnderTest,
  ) {}

  static async start(infra: Infra): Promise<GatewayBehindProxy> {
    const kafkaPort = await freePort();
    const proxy = await Toxiproxy.start(`127.0.0.1:${kafkaPort}`);
    // Kafka tells clients to connect through the proxy, so no connection bypasses its faults.
    const kafka = await LocalService.kafka({ port: kafkaPort, advertisedPort: proxy.port });
    const spoolDir = mkdtempSync(join(tmpdir(), 'fieldlink-spool-'));
    const started = await startMqttGateway(infra, { brokers: proxy.address, config: () => ({ spool: { dir: spoolDir } }) });
    return new GatewayBehindProxy(kafka, proxy, started);
  }

  async dispose(): Promise<void> {
    await this.started.gateway.kill();
    await this.proxy.dispose();
    await this.kafka.dispose();
  }
}
