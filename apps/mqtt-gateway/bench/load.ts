import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type MqttClient } from 'mqtt';
import { nowMs } from '@fieldlink/testing';

export const PAYLOAD_BYTES = 200;

/** A 200-byte JSON reading carrying its sequence number and publish time. */
export function payload(seq: number): string {
  const body = `{"seq":${seq},"t":${nowMs().toFixed(3)},"temperature":${(20 + (seq % 100) / 10).toFixed(1)},"pad":""}`;
  return body.replace('"pad":""', `"pad":"${'x'.repeat(Math.max(0, PAYLOAD_BYTES - body.length))}"`);
}

export async function connectPublisher(url: string, clientId: string): Promise<MqttClient> {
  const client = connect(url, { clientId, clean: true, protocolVersion: 5 });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
}

export interface LoadOptions {
  topics: string[];
  firstSeq: number;
  count: number;
  /** Messages per second; undefined = as fast as the QoS 1 window allows. */
  rate?: number;
  window?: number;
}

/** Publishes QoS 1 messages round-robin over the topics; resolves when the broker acked all. Returns msg/s. */
export async function publishLoad(client: MqttClient, options: LoadOptions): Promise<number> {
  const window = options.window ?? 2000;
  let inflight = 0;
  let failure: Error | undefined;
  let release: (() => void) | undefined;
  const start = nowMs();
  const n = options.topics.length;
  const sendOne = (seq: number) => {
    inflight++;
    const topic = options.topics[((seq % n) + n) % n];
    client.publish(topic, payload(seq), { qos: 1 }, (err) => {
      inflight--;
      if (err) failure ??= err;
      release?.();
    });
  };
  for (let i = 0; i < options.count; i++) {
    if (options.rate) {
      const due = start + (i * 1000) / options.rate;
      const wait = due - nowMs();
      if (wait > 1) await sleep(wait);
    }
    while (inflight >= window) await new Promise<void>((r) => (release = r));
    sendOne(options.firstSeq + i);
  }
  while (inflight > 0) await new Promise<void>((r) => (release = r));
  if (failure) throw failure;
  return (options.count * 1000) / (nowMs() - start);
}
