import { join } from 'node:path';
import { run, workspaceRoot } from '@fieldlink/testing';
import { type ProbeResult } from './native-take-probe';

const COUNT = 60;
const SENSORS = 3;

describe('the native take (Connext C API)', () => {
  it("reads what the Connector's own API reads: the data, a disposed instance's key, the instance state, the identity and the source time", async () => {
    const root = workspaceRoot();
    const result = await run(
      join(root, 'node_modules', '.bin', 'tsx'),
      ['--tsconfig', join(root, 'apps/dds-gateway/tsconfig.json'), join(__dirname, 'native-take-probe.ts'), String(COUNT), String(SENSORS)],
      { timeoutMs: 120_000, cwd: root },
    );
    if (result.code !== 0) throw new Error(`the probe exited ${result.code}:\n${result.stderr}`);
    const { viaConnector, byLayout, byFormatter, layoutFellBack, leftAfterTake } = JSON.parse(result.stdout) as ProbeResult;

    expect(viaConnector.filter((s) => s.data !== undefined)).toHaveLength(COUNT);
    expect(viaConnector.filter((s) => s.data === undefined).map((s) => s.keyValue).sort()).toEqual(['sensor-0', 'sensor-1', 'sensor-2']);
    expect(new Set(viaConnector.map((s) => s.instanceState))).toEqual(new Set(['NOT_ALIVE_DISPOSED']));
    expect(byLayout).toEqual(viaConnector);
    expect(layoutFellBack).toBe(false);
    expect(byFormatter).toEqual(viaConnector);
    // Taken: the next take finds nothing.
    expect(leftAfterTake).toBe(0);
  });
});
