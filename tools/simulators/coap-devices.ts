/**
 * Simulated environment sensors on CoAP: each has its own UDP endpoint, POSTs its readings as
 * confirmable JSON to /sensors/<id>, and observes /commands/<id> (RFC 7641) to receive
 * commands, which node-coap acknowledges.
 *
 *   node --import tsx tools/simulators/coap-devices.ts [--devices 5] [--host 127.0.0.1] [--port 5683] [fleet options, see fleet.ts]
 */
import { type Socket, createSocket } from 'node:dgram';
import { Agent, type IncomingMessage, type OutgoingMessage, request } from 'coap';
import { ENVIRONMENT_SENSOR } from './device-classes';
import { Fleet, fleetArgs, parseCommand } from './fleet';

const args = fleetArgs({ host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: process.env['COAP_PORT'] ?? '5683' } });
const host = String(args.values.host);
const port = Number(args.values.port);
const fleet = new Fleet({ name: 'coap-sim', ...ENVIRONMENT_SENSOR }, args);

interface Endpoint {
  socket: Socket;
  agent: Agent;
  observation?: OutgoingMessage;
}
const endpoints = new Map<string, Endpoint>();

async function open(id: string): Promise<Endpoint> {
  const socket = createSocket('udp4');
  // Loopback for a local gateway; any interface when it is another host (a compose service).
  await new Promise<void>((resolve) => socket.bind(0, host === '127.0.0.1' ? '127.0.0.1' : '0.0.0.0', resolve));
  // A socket of our own keeps one endpoint per device: node-coap closes its own between requests.
  const endpoint: Endpoint = { socket, agent: new Agent({ socket }) };
  endpoints.set(id, endpoint);
  observe(id, endpoint);
  return endpoint;
}

/** Observes the device's command resource, and observes again when the observation ends. */
function observe(id: string, endpoint: Endpoint): void {
  const req = request({ hostname: host, port, pathname: `/commands/${id}`, observe: true, agent: endpoint.agent });
  endpoint.observation = req;
  const again = (): void => void setTimeout(() => endpoints.has(id) && observe(id, endpoint), 5000).unref();
  req.on('response', (res: IncomingMessage) => {
    res.on('data', (payload: Buffer) => {
      if (payload.length > 0) fleet.obey(id, parseCommand(payload));
    });
    res.on('end', again);
  });
  req.on('timeout', again);
  req.on('error', (err: Error) => {
    console.error(`[${id}] observe /commands/${id}: ${err.message}`);
    again();
  });
  req.end();
}


function post(endpoint: Endpoint, id: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ hostname: host, port, pathname: `/sensors/${id}`, method: 'POST', confirmable: true, agent: endpoint.agent, contentFormat: 50 });
    req.on('response', (res: IncomingMessage) => {
      res.resume();
      if (res.code.startsWith('2.')) resolve();
      else reject(new Error(`POST /sensors/${id} answered ${res.code} ${res.payload.toString().slice(0, 120)}`));
    });
    req.on('timeout', (err: Error) => reject(err));
    req.on('error', (err: Error) => reject(err));
    req.end(body);
  });
}

void Promise.all(fleet.devices.map((d) => open(d.id))).then(() =>
  fleet.run(
    {
      async send(device, values, now) {
        const endpoint = endpoints.get(device.id);
        if (!endpoint) throw new Error(`${device.id} has no endpoint`);
        await post(endpoint, device.id, JSON.stringify({ ts: now, ...values }));
      },
      close() {
        for (const [id, endpoint] of endpoints) {
          endpoints.delete(id);
          endpoint.observation?.removeAllListeners();
          endpoint.agent.close();
          try {
            endpoint.socket.close();
          } catch {
            // node-coap's agent already closed it
          }
        }
      },
    },
    `coap://${host}:${port}`,
  ),
);
