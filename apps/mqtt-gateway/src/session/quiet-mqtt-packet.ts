import Module, { createRequire } from 'node:module';

const load = createRequire(__filename);
const quiet = (): void => undefined;

/**
 * Loads mqtt-packet with loggers that do nothing, unless DEBUG is set at start. It calls its
 * `debug` loggers several times per packet, and a disabled one still gathers its arguments and
 * checks its namespace: 2% of the gateway's CPU and 8% of its allocations at full load
 * (`npm run bench -- mqtt --profile`, issue 33). Only mqtt-packet is loaded this way; `debug`
 * stays as it was for every other package. Returns whether mqtt-packet is quiet: not when
 * DEBUG is set, nor when mqtt-packet was loaded before this ran.
 */
export function quietMqttPacket(): boolean {
  if (process.env['DEBUG']) return false;
  const cache = load.cache as Record<string, NodeModule | undefined> | undefined;
  let packetMain: string;
  let debugPath: string;
  try {
    // The mqtt-packet that mqtt itself loads, wherever npm put it, and the debug it loads.
    packetMain = createRequire(load.resolve('mqtt')).resolve('mqtt-packet');
    debugPath = createRequire(packetMain).resolve('debug');
  } catch {
    return false; // a saving, never a reason not to start
  }
  if (!cache || cache[packetMain]) return false;
  const loaded = cache[debugPath];
  const stub = new Module(debugPath);
  stub.filename = debugPath;
  stub.exports = () => quiet;
  stub.loaded = true;
  cache[debugPath] = stub;
  try {
    load(packetMain);
  } finally {
    if (loaded) cache[debugPath] = loaded;
    else delete cache[debugPath];
  }
  return true;
}

/** Whether this process's mqtt-packet is quiet; main.ts imports this file before anything loads mqtt. */
export const mqttPacketQuiet = quietMqttPacket();
