/**
 * npm run bench -- <mqtt|stream> [--json] [--messages N]
 * npm run bench -- alerts [--json] [--devices 50] [--hours 8]   (no Kafka: see alerts.bench.ts)
 * (npm run bench -- coap runs apps/coap-gateway/bench/coap.bench.ts instead: see tools/dev/bench.sh.)
 * Prints progress on stderr and, last, one line of JSON with the figures.
 */
import { parseArgs } from 'node:util';
import { runBench, sharedInfra } from '@fieldlink/testing';
import { alertsBench } from './alerts.bench';
import { mqttBench } from './mqtt.bench';
import { streamBench } from './stream.bench';

const BENCHES = { mqtt: mqttBench, stream: streamBench } as const;
/** Messages (mqtt) or telemetry events (stream: 10,000 devices × 60 readings, so every z-score is warm). */
const DEFAULT_MESSAGES = { mqtt: 200_000, stream: 600_000 } as const;

async function main(): Promise<{ result: object; json: boolean }> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, messages: { type: 'string' }, devices: { type: 'string', default: '50' }, hours: { type: 'string', default: '8' } },
  });
  const name = positionals[0] ?? 'mqtt';
  if (name === 'alerts') {
    const [devices, hours] = [Number(values.devices), Number(values.hours)];
    if (!Number.isInteger(devices) || devices < 1 || !(hours > 0)) throw new Error('--devices must be a positive integer and --hours a positive number');
    return { result: alertsBench(devices, hours), json: values.json };
  }
  if (!(name in BENCHES)) throw new Error(`unknown benchmark "${name}"; choose one of: ${[...Object.keys(BENCHES), 'alerts'].join(', ')}`);
  const messages = Number(values.messages ?? DEFAULT_MESSAGES[name as keyof typeof BENCHES]);
  if (!Number.isInteger(messages) || messages < 1000) throw new Error('--messages must be an integer ≥ 1000');
  const infra = await sharedInfra();
  const result = await BENCHES[name as keyof typeof BENCHES](infra, messages);
  return { result, json: values.json };
}

runBench(main);
