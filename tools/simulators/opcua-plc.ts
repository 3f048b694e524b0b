/**
 * A simulated PLC: a node-opcua server with one object per pump (Pump1…), each with Double
 * variables that change every interval with the PLC's scan time as SourceTimestamp, and the
 * methods Stop (which stops the pump for --restart-after-ms) and Start.
 *
 *   node --import tsx tools/simulators/opcua-plc.ts [--devices 4] [--host 127.0.0.1] [--port 4840] [--pki <dir>] [fleet options, see fleet.ts]
 */
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { DataType, OPCUACertificateManager, OPCUAServer, StatusCodes, type UAVariable, Variant } from 'node-opcua';
import { PUMP } from './device-classes';
import { Fleet, fleetArgs } from './fleet';

const args = fleetArgs({
  host: { type: 'string', default: '127.0.0.1' },
  port: { type: 'string', default: '4840' },
  pki: { type: 'string', default: join(tmpdir(), 'fieldlink-opcua-plc-pki') },
});
const host = String(args.values.host);
const port = Number(args.values.port);
const pki = String(args.values.pki);
const fleet = new Fleet({ name: 'opcua-sim', ...PUMP, ids: (count) => Array.from({ length: count }, (_, i) => `Pump${i + 1}`) }, args);

async function main(): Promise<void> {
  const server = new OPCUAServer({
    port,
    // The name in the endpoint URLs the server advertises: clients connect to what it says.
    hostname: host,
    allowAnonymous: true,
    buildInfo: { productName: 'Fieldlink simulated PLC' },
    // Both managers on a folder of our own: node-opcua's default lives under the home directory.
    serverCertificateManager: new OPCUACertificateManager({ rootFolder: join(pki, 'server'), automaticallyAcceptUnknownCertificate: true }),
    userCertificateManager: new OPCUACertificateManager({ rootFolder: join(pki, 'user'), automaticallyAcceptUnknownCertificate: true }),
  });
  await server.initialize();
  const addressSpace = server.engine.addressSpace;
  if (!addressSpace) throw new Error('the server has no address space');
  const namespace = addressSpace.getOwnNamespace();
  const variables = new Map<string, Map<string, UAVariable>>();
  for (const device of fleet.devices) {
    const pump = namespace.addObject({ organizedBy: addressSpace.rootFolder.objects, browseName: device.id, nodeId: `s=${device.id}` });
    const own = new Map<string, UAVariable>();
    for (const metric of Object.keys(device.metrics)) {
      own.set(metric, namespace.addVariable({ componentOf: pump, browseName: metric, nodeId: `s=${device.id}.${metric}`, dataType: 'Double', minimumSamplingInterval: 100 }));
    }
    variables.set(device.id, own);
    // node-opcua tells a promise-returning method from a callback one by its two parameters.
    const method = (name: string, act: () => string): void => {
      namespace
        .addMethod(pump, { browseName: name, nodeId: `s=${device.id}.${name}`, outputArguments: [{ name: 'state', dataType: DataType.String }] })
        .bindMethod((_inputs: Variant[], _context: unknown) => Promise.resolve({ statusCode: StatusCodes.Good, outputArguments: [new Variant({ dataType: DataType.String, value: act() })] }));
    };
    method('Stop', () => fleet.obey(device.id, { action: 'shutdown', args: { via: 'Stop method' } }));
    method('Start', () => fleet.obey(device.id, { action: 'start', args: { via: 'Start method' } }));
  }
  await server.start();
  const url = `opc.tcp://${host}:${port}`;
  fleet.run(
    {
      send(device, values, now) {
        const own = variables.get(device.id);
        for (const [metric, value] of Object.entries(values)) {
          own?.get(metric)?.setValueFromSource(new Variant({ dataType: DataType.Double, value }), StatusCodes.Good, new Date(now));
        }
      },
      async close() {
        await server.shutdown(0);
      },
    },
    url,
  );
}

main().catch((error: unknown) => {
  console.error(`[opcua-sim] failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
