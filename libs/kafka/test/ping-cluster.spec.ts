import { freshName, sharedInfra } from '@fieldlink/testing';
import { type Admin, type AdminConfig, Kafka, logLevel } from 'kafkajs';
import { pingCluster } from '../src/topic-admin';

/** A kafkajs client that records the API of every request its admins send. */
class RecordingKafka extends Kafka {
  readonly requests: string[] = [];

  override admin(config?: AdminConfig): Admin {
    const admin = super.admin(config);
    admin.on(admin.events.REQUEST, ({ payload }) => this.requests.push(payload.apiName));
    return admin;
  }
}

describe('pingCluster', () => {
  it('is true when a broker answers, and asks for no topic metadata (a cluster of many topics would make every probe costly)', async () => {
    const { kafkaBrokers } = await sharedInfra();
    const kafka = new RecordingKafka({ brokers: [kafkaBrokers], clientId: freshName('ping'), logLevel: logLevel.NOTHING });
    expect(await pingCluster(kafka, 5000)).toBe(true);
    expect(kafka.requests).toContain('ApiVersions');
    expect(kafka.requests).not.toContain('Metadata');
  });

  it('is false, not thrown, when nothing listens', async () => {
    const kafka = new Kafka({ brokers: ['127.0.0.1:1'], clientId: freshName('ping'), logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    expect(await pingCluster(kafka, 5000)).toBe(false);
  });
});
