import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type MqttClient } from 'mqtt';
import { nowMs } from '@fieldlink/testing';
import { type Load } from './measure';

export const PAYLOAD_BYTES = 200;
export const DEVICES = 100;

/** The MQTT bench's device topics under root. */
export function deviceTopics(root: string): string[] {
  return Array.from({ length: DEVICES }, (_, d) => `${root}/dev-${String(d).padStart(3, '0')}/data`);
}

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
  /** The topic and payload of message seq; default the 200-byte JSON reading, round-robin over topics. */
  message?: (seq: number) => [string, string | Buffer];
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
    const [topic, body] = options.message?.(seq) ?? [options.topics[((seq % n) + n) % n], payload(seq)];
    client.publish(topic, body, { qos: 1 }, (err) => {
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

/** The MQTT bench's load: JSON readings round-robin over device topics, QoS 1. */
export function jsonLoad(client: MqttClient, topics: string[]): Load {
  return {
    publish: (firstSeq, count, rate) => publishLoad(client, { topics, firstSeq, count, ...(rate ? { rate } : {}) }),
    filler: () => client.publish(topics[0], payload(-3), { qos: 1 }),
  };
}
