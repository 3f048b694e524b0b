/**
 * The bench's PLC: a node-opcua server with `objects` × `variables` Double variables
 * (Machine{o}.Sensor{v}) whose values all change every `intervalMs`, one source time per tick.
 * Run in its own process so its CPU is not the client's: prints READY once listening, then
 * every second OFFERED <distinct values read for subscriptions so far>.
 * Usage: node --import tsx bench-server.ts <port> <objects> <variables> <intervalMs> <pkiDir>
 */
import { join } from 'node:path';
import { DataType, DataValue, OPCUACertificateManager, OPCUAServer, StatusCodes, Variant } from 'node-opcua';

async function main(): Promise<void> {
  const [port, objects, variables, intervalMs] = process.argv.slice(2, 6).map(Number);
  const pkiDir = process.argv[6];
  if (!port || !objects || !variables || !intervalMs || !pkiDir) throw new Error('usage: bench-server.ts <port> <objects> <variables> <intervalMs> <pkiDir>');
  const server = new OPCUAServer({
    port,
    hostname: '127.0.0.1',
    resourcePath: '/bench',
    allowAnonymous: true,
    // Both managers on a folder of our own: node-opcua's default lives under the home directory.
    serverCertificateManager: new OPCUACertificateManager({ rootFolder: join(pkiDir, 'server'), automaticallyAcceptUnknownCertificate: true }),
    userCertificateManager: new OPCUACertificateManager({ rootFolder: join(pkiDir, 'user'), automaticallyAcceptUnknownCertificate: true }),
  });
  await server.initialize();
  const addressSpace = server.engine.addressSpace;
  if (!addressSpace) throw new Error('the server has no address space');
  const namespace = addressSpace.getOwnNamespace();
  // The value is a function of the clock: it changes every intervalMs by construction, and the
  // server spends time only on what the subscriptions sample (setting 10,000 values every
  // 100 ms from a timer would take most of a core here before anyone subscribed).
  const tickOf = (): number => Math.floor(Date.now() / intervalMs);
  // Distinct values handed out: a variable read twice in one tick offers its value once.
  let offered = 0;
  const lastTick = new Float64Array(objects * variables).fill(-1);
  for (let o = 0; o < objects; o++) {
    const machine = namespace.addObject({ organizedBy: addressSpace.rootFolder.objects, browseName: `Machine${o}`, nodeId: `s=Machine${o}` });
    for (let v = 0; v < variables; v++) {
      const index = o * variables + v;
      const offset = index / 1e6;
      namespace.addVariable({
        componentOf: machine,
        browseName: `Sensor${v}`,
        nodeId: `s=Machine${o}.Sensor${v}`,
        dataType: 'Double',
        // Without it node-opcua caps a getter-bound variable at 1,000 ms sampling.
        minimumSamplingInterval: intervalMs,
        value: {
          timestamped_get: () => {
            const tick = tickOf();
            if (lastTick[index] !== tick) {
              lastTick[index] = tick;
              offered++;
            }
            // One source time per tick for every variable, as a PLC scan would stamp them.
            return new DataValue({ value: new Variant({ dataType: DataType.Double, value: tick + offset }), statusCode: StatusCodes.Good, sourceTimestamp: new Date(tick * intervalMs) });
          },
        },
      });
    }
  }
  await server.start();
  // What the server actually offers: when overloaded it samples less often than asked.
  setInterval(() => process.stdout.write(`OFFERED ${offered}\n`), 1000);
  process.stdout.write(`READY ${objects * variables} variables on opc.tcp://127.0.0.1:${port}/bench\n`);
  const stop = (): void => void server.shutdown(0).finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench server failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
